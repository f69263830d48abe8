/** The body of a Node pair worker: one request from the parent thread, answers posted back. */
import { parentPort } from 'node:worker_threads';
import { type PairRequest, runPairRequest } from '../src/job/pairJob';

const port = parentPort;
if (port === null) throw new Error('cli/pairWorker.ts runs as a worker thread only');
port.once('message', (request: PairRequest) => {
  runPairRequest(request, (message, transfer) => port.postMessage(message, transfer));
});
