/// <reference lib="webworker" />
/**
 * A pair worker in the browser: a nested Web Worker the analysis worker starts for each run of
 * layer pairs of a big model (`parallelPairs.ts`). One request per worker.
 */
import { type PairRequest, runPairRequest } from '../job/pairJob';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (event: MessageEvent<PairRequest>) => {
  runPairRequest(event.data, (message, transfer) => self.postMessage(message, transfer));
};
