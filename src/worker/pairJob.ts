/**
 * The message protocol of a pair worker: a helper worker (a nested Web Worker in the browser, a
 * worker thread in Node) that scores one contiguous run of layer pairs of states it is handed, so
 * that a big model's pairs are scored on several cores at once (`parallelPairs.ts`). The states
 * travel in a SharedArrayBuffer where there is one (no copy per worker) and as a copy otherwise.
 */
import {
  type AnalyzeOptions,
  analyzeLayers,
  type HiddenStates,
  hiddenStates,
  type LayerAnalysis,
  type LayerPairRecord,
} from '../analysis';

/** What a pair worker is asked: the states, and the options with the `pairs` to score. */
export interface PairRequest {
  readonly states: HiddenStates;
  readonly options: AnalyzeOptions & { readonly pairs: readonly number[] };
}

/** What a pair worker answers: each pair as it is scored, then the whole part (or an error). */
export type PairMessage =
  | { readonly type: 'pair'; readonly record: LayerPairRecord }
  | { readonly type: 'done'; readonly analysis: LayerAnalysis }
  | { readonly type: 'error'; readonly name: string; readonly message: string };

/** The body of every pair worker, whatever its host: runs the request, posting as it goes. */
export function runPairRequest(request: PairRequest, post: (message: PairMessage) => void): void {
  try {
    const { data, states, tokens, hidden } = request.states;
    const analysis = analyzeLayers(hiddenStates(data, states, tokens, hidden), request.options, {
      onPair: (record) => post({ type: 'pair', record }),
    });
    post({ type: 'done', analysis });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name: e.name, message: e.message });
  }
}
