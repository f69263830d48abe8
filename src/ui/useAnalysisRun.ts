import { type Dispatch, useCallback, useReducer, useRef } from 'react';
import { LinScopeError } from '../errors';
import type { Job, WorkerClient } from '../worker/client';
import type { AnalyzeRequest } from '../worker/protocol';
import { type AppAction, type AppState, appReducer, INITIAL_STATE } from './appState';
import { errorMessage } from './errorMessage';

export interface AnalysisRun {
  readonly state: AppState;
  readonly dispatch: Dispatch<AppAction>;
  /** A run is loading or running: the inputs are locked until it ends. */
  readonly busy: boolean;
  /** Starts a run (the state goes to `loading`); a run already under way is superseded. */
  start(request: AnalyzeRequest): void;
  /** Asks the run under way to stop; the state returns to what was on screen before it. */
  cancel(): void;
}

/**
 * The explorer's state (appReducer) and the one analysis job feeding it: its plan and progress,
 * the partial result as pairs are scored and the first view, then the result, an error, or a
 * cancellation.
 */
export function useAnalysisRun(client: WorkerClient | null): AnalysisRun {
  const [state, dispatch] = useReducer(appReducer, INITIAL_STATE);
  // The job whose events count: a superseded job's late result or error is dropped.
  const job = useRef<Job<unknown> | null>(null);

  const start = useCallback(
    (request: AnalyzeRequest) => {
      if (!client) return;
      dispatch({ type: 'start' });
      const running = client.analyze(
        request,
        (progress) => dispatch({ type: 'progress', progress, at: performance.now() }),
        (partial) => dispatch({ type: 'partial', partial }),
        (plan) => dispatch({ type: 'plan', plan, at: performance.now() }),
      );
      job.current = running;
      running.done.then(
        (result) => {
          if (job.current === running) dispatch({ type: 'done', result });
        },
        (error: unknown) => {
          if (job.current !== running) return;
          if (error instanceof LinScopeError && error.code === 'ABORTED') dispatch({ type: 'cancelled' });
          else
            dispatch({
              type: 'failed',
              message: errorMessage(error),
              model: { id: request.model.spec.id, dtype: request.model.spec.dtype },
            });
        },
      );
    },
    [client],
  );

  const cancel = useCallback(() => {
    job.current?.cancel();
  }, []);

  const busy = state.status === 'loading' || state.status === 'running';
  return { state, dispatch, busy, start, cancel };
}
