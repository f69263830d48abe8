/**
 * Pair workers as nested Web Workers of the analysis worker. Browsers that cannot start a worker
 * from a worker report it through `onFailure`, and the job fails with that message.
 */
import type { PairWorker, PairWorkers } from '../job/parallelPairs';

/** `threads` pair workers at most; `always` splits even small runs (tests). */
export function browserPairWorkers(threads: number, always = false): PairWorkers {
  return { threads, always, spawn: startPairWorker };
}

/**
 * The cores a page uses for scoring: all of them, at most 8. While pair workers compute, the
 * analysis worker only waits and the page only draws the pairs that arrive.
 */
export function browserScoringThreads(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return Math.max(1, Math.min(8, cores));
}

function startPairWorker(): PairWorker {
  const worker = new Worker(new URL('./pairEntry.ts', import.meta.url), {
    type: 'module',
    name: 'linscope-pairs',
  });
  return {
    start(request, onMessage, onFailure) {
      worker.onmessage = (event) => onMessage(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        onFailure(new Error(`A pair worker failed: ${event.message || 'it could not be started'}`));
      };
      worker.onmessageerror = () =>
        onFailure(new Error('A pair worker sent a message that could not be read'));
      worker.postMessage(request);
    },
    terminate: () => worker.terminate(),
  };
}
