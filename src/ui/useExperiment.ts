/**
 * The block-replacement experiment on the result on screen: the blocks picked (chart or panel),
 * the maps' source and continuation length, and the one experiment job, run in the worker on the
 * inputs of that result. Its outcome joins the result (`onResult`), so exports, files, the
 * Recent list and links carry it.
 */
import { useCallback, useReducer, useRef, useState } from 'react';
import { LinScopeError } from '../errors';
import type { LinScopeResult, ResultLinearize } from '../job/result';
import type { ShareState } from '../share/permalinkState';
import type { Job, WorkerClient } from '../worker/client';
import { errorMessage } from './errorMessage';
import {
  DEFAULT_CONTINUATION,
  type ExperimentKind,
  experimentRequest,
  mergeLinearize,
  NO_RESULT_MESSAGE,
} from './experimentRequest';
import { experimentReducer, INITIAL_EXPERIMENT } from './experimentState';
import type { ReferenceChoice } from './SettingsPanel';
import type { ModelChoice } from './useModelChoice';
import type { ShownAnalysis } from './usePermalink';

export interface ExperimentOptionsIn {
  client: WorkerClient | null;
  /** The runtime is up. */
  ready: boolean;
  shown: ShownAnalysis | null;
  /** The page's inputs now (compared with the result's to refuse a stale experiment). */
  currentState: () => ShareState;
  reference: ReferenceChoice;
  choice: Pick<ModelChoice, 'models' | 'consentToRun' | 'request'>;
  /**
   * Puts the experiment on `target`, the result it ran on; false when that result is no longer on
   * screen (another was opened meanwhile), and then nothing changes.
   */
  onResult: (target: LinScopeResult, linearize: ResultLinearize) => boolean;
}

export function useExperiment(options: ExperimentOptionsIn) {
  const [state, dispatch] = useReducer(experimentReducer, INITIAL_EXPERIMENT);
  const [selected, setSelected] = useState<number[]>([]);
  const [maps, setMaps] = useState<'reference' | 'self'>('reference');
  const [continuation, setContinuation] = useState(DEFAULT_CONTINUATION);
  // The job whose outcome counts: a superseded job's late result or error is dropped.
  const job = useRef<Job<ResultLinearize> | null>(null);
  const latest = useRef(options);
  latest.current = options;

  const blocks = options.shown?.result.model.layers ?? 0;
  // Picks beyond the model on screen (another model's result was opened) do not count.
  const picked = selected.filter((b) => b < blocks);

  const toggle = useCallback((block: number) => {
    setSelected((list) =>
      list.includes(block) ? list.filter((b) => b !== block) : [...list, block].sort((a, b) => a - b),
    );
  }, []);

  const run = useCallback(
    (kind: ExperimentKind) => {
      const { client, ready, shown, choice, reference } = latest.current;
      if (!client || !ready) return;
      const id = shown?.state.model.id ?? '';
      const outcome = experimentRequest({
        shown,
        now: latest.current.currentState(),
        reference,
        model: choice.request(id),
        options: { kind, blocks: selected, maps, continuation },
      });
      if (!outcome.ok || !shown) {
        dispatch({ type: 'failed', message: outcome.ok ? NO_RESULT_MESSAGE : outcome.message });
        return;
      }
      // A Hub model may need the user's yes first (the question appears beside Analyze); the
      // experiment then waits for another press, as Analyze does.
      if (!choice.consentToRun(id)) return;
      if (choice.models.find((m) => m.id === id)?.source === 'hub') outcome.request.model.allowHub = true;
      const target = shown.result;
      dispatch({ type: 'start' });
      const running = client.linearize(
        outcome.request,
        (progress) => {
          if (job.current === running) dispatch({ type: 'progress', progress });
        },
        (partial) => {
          if (job.current === running)
            dispatch({ type: 'partial', partial: mergeLinearize(target.linearize, partial) });
        },
      );
      job.current = running;
      running.done.then(
        (linearize) => {
          if (job.current !== running) return;
          job.current = null;
          const attached = latest.current.onResult(target, mergeLinearize(target.linearize, linearize));
          if (attached) dispatch({ type: 'done' });
          else
            dispatch({
              type: 'failed',
              message: 'Another analysis was opened while the experiment ran, so its results were not kept.',
            });
        },
        (error: unknown) => {
          if (job.current !== running) return;
          job.current = null;
          if (error instanceof LinScopeError && error.code === 'ABORTED') dispatch({ type: 'cancelled' });
          else dispatch({ type: 'failed', message: errorMessage(error) });
        },
      );
    },
    [selected, maps, continuation],
  );

  const cancel = useCallback(() => job.current?.cancel(), []);

  const busy = state.status === 'loading' || state.status === 'running';
  return {
    state,
    busy,
    blocks,
    selected: picked,
    toggle,
    maps,
    setMaps,
    continuation,
    setContinuation,
    run,
    cancel,
  };
}

export type Experiment = ReturnType<typeof useExperiment>;
