/**
 * The body of a Node pair worker: requests from the parent thread, one at a time (a pool sends
 * several, one after another), answers posted back. It runs until it is terminated.
 */
import { parentPort } from 'node:worker_threads';
import { type PairRequest, runPairRequest } from '../src/job/pairJob';

const port = parentPort;
if (port === null) throw new Error('cli/pairWorker.ts runs as a worker thread only');
port.on('message', (request: PairRequest) => {
  runPairRequest(request, (message, transfer) => port.postMessage(message, transfer));
});
