import { useCallback, useRef } from 'react';
import type { WorkerClient } from '../worker/client';
import { analyzeRequest } from './analyzeRequest';
import { referenceTokensPerDimFromSearch } from './referenceTokensPerDim';
import { scoringThreadsFromSearch } from './scoringThreads';
import type { AnalysisInputs } from './useAnalysisInputs';
import type { AnalysisRun } from './useAnalysisRun';
import type { ModelChoice } from './useModelChoice';

/**
 * What the Analyze button does: ask before a large Hub download (the run starts when the user
 * allows it), build the request from the page's inputs, and start the run, or show why not.
 * Analyses model `id`, by default the chosen one; does nothing until the runtime is `ready`.
 */
export function useAnalyze(
  client: WorkerClient | null,
  ready: boolean,
  choice: ModelChoice,
  inputs: Pick<AnalysisInputs, 'input' | 'settings' | 'reference'>,
  run: Pick<AnalysisRun, 'start' | 'dispatch'>,
): (id?: string) => void {
  const analyze = useRef<(id: string, consented: boolean) => void>(() => undefined);
  const { models, modelId, consentToRun, request: modelRequest } = choice;
  const { input, settings, reference } = inputs;
  const { start, dispatch } = run;
  analyze.current = (id, consented) => {
    if (!client || !ready) return;
    // Asked first: the same analysis runs when the user allows the download.
    if (!consented && !consentToRun(id, () => analyze.current(id, true))) return;
    const model = modelRequest(id);
    // consentToRun said yes: a Hub model may be fetched now (its consent is recorded in state
    // that this render does not see yet).
    if (models.find((m) => m.id === id)?.source === 'hub') model.allowHub = true;
    const outcome = analyzeRequest({
      model,
      input,
      settings,
      reference,
      threads: scoringThreadsFromSearch(window.location.search),
      referenceTokensPerDim: referenceTokensPerDimFromSearch(window.location.search),
    });
    if (outcome.ok) start(outcome.request);
    else dispatch({ type: 'failed', message: outcome.message });
  };
  return useCallback((id: string = modelId) => analyze.current(id, false), [modelId]);
}
