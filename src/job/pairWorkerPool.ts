/**
 * Pair workers kept between runs. A fresh pair worker is slow on its first big run, not only to
 * start: measured on GPT-2-small-sized pairs (d = 768, 4,096 tokens, 6 pairs per worker, 2 workers),
 * a run took 3.6-4.1 s in workers that had been started and had run a small job, and 2.8-3.2 s in
 * workers that had run one of that size before (docs/performance.md, "Warm pair workers"). A first
 * Analyze scores the text, fits the reference and scores the held-out check one after another, and
 * each used to start its own workers; with a pool only the first does, and a later Analyze finds
 * them warm.
 *
 * A worker goes back to the pool only when its run ended normally (`release`); one that was
 * cancelled mid-run, failed, or belongs to a run that failed is terminated (`terminate`), so the
 * pool never holds a worker in an unknown state. Idle workers are ended after `idleMs` without a
 * run, which gives their memory back to the system. In Node, idle worker threads keep the process
 * alive: whoever makes a pool there closes it when done.
 */
import type { PairWorker, PairWorkers } from './parallelPairs';

/** How long idle pair workers are kept unless a host says otherwise: two minutes. */
export const PAIR_WORKER_IDLE_MS = 120_000;

export interface PairWorkerPoolOptions {
  /** Idle time after which the idle workers are ended (default `PAIR_WORKER_IDLE_MS`). */
  readonly idleMs?: number;
}

/** Pair workers that outlive a run (`pairWorkerPool`). */
export interface PairWorkerPool extends PairWorkers {
  /** Workers waiting for a run. */
  readonly idle: number;
  /** Ends the idle workers now; later runs start new ones. */
  close(): void;
}

/**
 * `workers`, with the workers of a run that ended normally kept for the next run (at most
 * `workers.threads` of them) until they have been idle for `idleMs`.
 */
export function pairWorkerPool(workers: PairWorkers, options: PairWorkerPoolOptions = {}): PairWorkerPool {
  const idleMs = options.idleMs ?? PAIR_WORKER_IDLE_MS;
  const idle: PairWorker[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const endIdle = () => {
    stopTimer();
    for (const worker of idle.splice(0)) worker.terminate();
  };

  return {
    get threads() {
      return workers.threads;
    },
    get always() {
      return workers.always;
    },
    get memoryBudget() {
      return workers.memoryBudget;
    },
    get idle() {
      return idle.length;
    },
    close: endIdle,
    spawn(): PairWorker {
      const worker = idle.pop() ?? workers.spawn();
      if (idle.length === 0) stopTimer();
      let handedBack = false;
      return {
        start: (request, onMessage, onFailure) => worker.start(request, onMessage, onFailure),
        terminate: () => {
          if (handedBack) return;
          handedBack = true;
          worker.terminate();
        },
        release: () => {
          if (handedBack) return;
          handedBack = true;
          if (idle.length >= workers.threads) {
            worker.terminate();
            return;
          }
          idle.push(worker);
          stopTimer();
          timer = setTimeout(endIdle, idleMs);
        },
      };
    },
  };
}
