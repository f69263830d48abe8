/** Pair workers as Node worker threads, for the CLI, the benchmarks and the Node tests. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PairMessage } from '../src/job/pairJob';
import type { PairWorker, PairWorkers } from '../src/job/parallelPairs';

/** `threads` pair workers at most (default: every core); `always` splits even small runs (tests). */
export function nodePairWorkers(threads = availableParallelism(), always = false): PairWorkers {
  return { threads, always, spawn: startPairWorker };
}

interface Listener {
  readonly onMessage: (message: PairMessage) => void;
  readonly onFailure: (error: Error) => void;
}

function startPairWorker(): PairWorker {
  const worker = new Worker(new URL('./pairWorker.mjs', import.meta.url));
  // The request under way, if any: a pooled worker is sent one request after another.
  let current: Listener | null = null;
  let stopped: Error | null = null;
  worker.on('message', (message: PairMessage) => current?.onMessage(message));
  worker.on('error', (error) => current?.onFailure(error));
  worker.on('exit', (code) => {
    // A pair worker runs until it is terminated, so stopping on its own is a failure.
    stopped = new Error(`A pair worker stopped with exit code ${code}`);
    current?.onFailure(stopped);
  });
  return {
    start(request, onMessage, onFailure) {
      current = { onMessage, onFailure };
      if (stopped !== null) onFailure(stopped);
      else worker.postMessage(request);
    },
    terminate: () => {
      current = null;
      void worker.terminate();
    },
  };
}
