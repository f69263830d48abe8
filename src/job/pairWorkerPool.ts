/**
 * Pair workers kept between runs. A fresh pair worker costs more than its start: measured in Node on
 * GPT-2-small-sized pairs (d = 768, 4,096 tokens, 6 pairs per worker, 2 workers), a run took
 * 4.5-4.8 s in fresh workers, 3.6-4.1 s in workers started beforehand, and 2.75-3.3 s in workers that
 * had run one of that size before (docs/performance.md, "Warm pair workers"). Later analyses of a
 * few hundred tokens used to start two workers for the text's scores and two more for the scores
 * against the reference; with a pool they find them warm.
 *
 * A worker goes back to the pool only when its run ended normally (`release`); one that was
 * cancelled mid-run, failed, or belongs to a run that failed is terminated (`terminate`), so the
 * pool never holds a worker in an unknown state.
 *
 * Nor is a worker kept after a big run. What a run allocated stays in the worker after it: the
 * kernel's WebAssembly memory, which never shrinks (about 80 MB after a fit at 6,144 tokens of
 * d = 768, `simdKernel.ts`), and arrays its engine collects only when the worker allocates again,
 * which an idle worker does not. So a worker is kept only when its run's estimate
 * (`pairWorkerMemory`) is at most `keepBelow`: the small runs of later analyses (a few hundred
 * tokens) find warm workers, and a reference fit ends its workers as before. Idle workers are ended
 * after `idleMs` without a run. In Node, idle worker threads keep the process alive: whoever makes
 * a pool there closes it.
 */
import type { PairWorker, PairWorkers } from './parallelPairs';

/** How long idle pair workers are kept unless a host says otherwise: two minutes. */
export const PAIR_WORKER_IDLE_MS = 120_000;

/**
 * The biggest run, in `pairWorkerMemory` bytes, after which a worker is kept unless a host says
 * otherwise: 64 MB, about 810 tokens at d = 768 (GPT-2 small), 7,500 at d = 256.
 */
export const PAIR_WORKER_KEEP_BELOW = 64 * 1024 ** 2;

export interface PairWorkerPoolOptions {
  /** Idle time after which the idle workers are ended (default `PAIR_WORKER_IDLE_MS`). */
  readonly idleMs?: number;
  /** Workers whose run's estimate is above this are ended (default `PAIR_WORKER_KEEP_BELOW`). */
  readonly keepBelow?: number;
}

/** Pair workers that outlive a run (`pairWorkerPool`). */
export interface PairWorkerPool extends PairWorkers {
  /** Workers waiting for a run. */
  readonly idle: number;
  /** Ends the idle workers now; later runs start new ones. */
  close(): void;
}

/**
 * `workers`, with the workers of a small run that ended normally kept for the next run (at most
 * `workers.threads` of them) until they have been idle for `idleMs`.
 */
export function pairWorkerPool(workers: PairWorkers, options: PairWorkerPoolOptions = {}): PairWorkerPool {
  const idleMs = options.idleMs ?? PAIR_WORKER_IDLE_MS;
  const keepBelow = options.keepBelow ?? PAIR_WORKER_KEEP_BELOW;
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
        release: (runBytes) => {
          if (handedBack) return;
          handedBack = true;
          if (runBytes > keepBelow || idle.length >= workers.threads) {
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
