/// <reference lib="webworker" />
/**
 * A pair worker in the browser: a nested Web Worker the analysis worker starts for the runs of
 * layer pairs of a big model (`parallelPairs.ts`) and keeps for later runs (`pairWorkerPool.ts`).
 * One request at a time.
 */
import { type PairRequest, runPairRequest } from '../job/pairJob';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (event: MessageEvent<PairRequest>) => {
  runPairRequest(event.data, (message, transfer) => self.postMessage(message, transfer));
};
