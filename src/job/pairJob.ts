/**
 * The message protocol of a pair worker: a helper worker (a nested Web Worker in the browser, a
 * worker thread in Node) that scores, or fits reference maps for, one contiguous run of layer
 * pairs of states it is handed, so that a big model's pairs run on several cores at once
 * (`parallelPairs.ts`). The states travel in a SharedArrayBuffer where there is one (no copy per
 * worker) and as a copy otherwise.
 */
import {
  type AnalyzeOptions,
  analyzeLayers,
  fitReferenceMaps,
  type HiddenStates,
  hiddenStates,
  type LayerAnalysis,
  type LayerPairRecord,
  type ReferenceFit,
  type ReferenceFitOptions,
} from '../analysis';
import { transferableBuffers } from './transfer';

/** What a pair worker is asked: score pairs (`analyzeLayers`) or fit their reference maps. */
export type PairRequest =
  | {
      readonly task: 'score';
      readonly states: HiddenStates;
      readonly options: AnalyzeOptions & { readonly pairs: readonly number[] };
    }
  | {
      readonly task: 'fit';
      readonly states: HiddenStates;
      readonly options: ReferenceFitOptions & { readonly pairs: readonly number[] };
    };

/** What a pair worker answers: each pair as it is done, then the whole part (or an error). */
export type PairMessage =
  | { readonly type: 'scored-pair'; readonly record: LayerPairRecord }
  | { readonly type: 'fitted-pair' }
  | { readonly type: 'scored'; readonly analysis: LayerAnalysis }
  | { readonly type: 'fitted'; readonly fit: ReferenceFit }
  | { readonly type: 'error'; readonly name: string; readonly message: string };

/**
 * The body of every pair worker, whatever its host: runs the request, posting as it goes; the final
 * message's arrays are transferred (each request makes its own, so nothing here uses them after).
 */
export function runPairRequest(
  request: PairRequest,
  post: (message: PairMessage, transfer: ArrayBuffer[]) => void,
): void {
  try {
    const { data, states, tokens, hidden } = request.states;
    const input = hiddenStates(data, states, tokens, hidden);
    if (request.task === 'score') {
      const analysis = analyzeLayers(input, request.options, {
        onPair: (record) => post({ type: 'scored-pair', record }, []),
      });
      // The part's arrays (per-token rows) move to the parent: this worker is done with them.
      post({ type: 'scored', analysis }, transferableBuffers(analysis));
    } else {
      const fit = fitReferenceMaps(input, request.options, {
        onProgress: () => post({ type: 'fitted-pair' }, []),
      });
      post({ type: 'fitted', fit }, transferableBuffers(fit));
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name: e.name, message: e.message }, []);
  }
}
