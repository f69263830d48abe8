/** Pair workers as Node worker threads, for the CLI, the benchmarks and the Node tests. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PairWorker, PairWorkers } from '../src/job/parallelPairs';

/** `threads` pair workers at most (default: every core); `always` splits even small runs (tests). */
export function nodePairWorkers(threads = availableParallelism(), always = false): PairWorkers {
  return { threads, always, spawn: startPairWorker };
}

function startPairWorker(): PairWorker {
  const worker = new Worker(new URL('./pairWorker.mjs', import.meta.url));
  return {
    start(request, onMessage, onFailure) {
      worker.on('message', onMessage);
      worker.on('error', (error) => onFailure(error));
      worker.on('exit', (code) => {
        if (code !== 0) onFailure(new Error(`A pair worker stopped with exit code ${code}`));
      });
      worker.postMessage(request);
    },
    terminate: () => {
      worker.removeAllListeners();
      void worker.terminate();
    },
  };
}
