/**
 * Scores a run's layer pairs, or fits their reference maps, on several cores: the pairs are cut
 * into contiguous runs (`contiguousPairRuns`), each run goes to a pair worker (`pairJob.ts`), and
 * the parts are merged (`mergeLayerAnalyses`, `mergeReferenceFits`). The numbers are identical to
 * a single thread's: every pair is computed by the same code on the same data, and the only extra
 * work is one Gram matrix per run for its first input state. Host-agnostic: the browser worker and the CLI pass their own way
 * of starting a worker (`PairWorkers`).
 *
 * While the pair workers compute, the calling thread stays free, so a cancel takes effect at once:
 * the workers are terminated mid-pair instead of finishing the pair first.
 */
import {
  type AnalyzeOptions,
  analyzeLayers,
  blockCount,
  contiguousPairRuns,
  fitReferenceMaps,
  type HiddenStates,
  type LayerAnalysis,
  type LayerPairRecord,
  mergeLayerAnalyses,
  mergeReferenceFits,
  type ReferenceFit,
  type ReferenceFitOptions,
  type RunControl,
} from '../analysis';
import type { PairMessage, PairRequest } from './pairJob';

/** One started pair worker, whatever its host (Web Worker, Node worker thread). */
export interface PairWorker {
  /**
   * Sends the request; answers arrive through `onMessage`, a crash or load failure through
   * `onFailure`. A worker may be sent another request once the previous one has its final answer;
   * only the latest request's callbacks are called.
   */
  start(
    request: PairRequest,
    onMessage: (message: PairMessage) => void,
    onFailure: (error: Error) => void,
  ): void;
  /** Ends the worker, whatever it is doing. */
  terminate(): void;
  /**
   * The caller is done with the worker, whose last request has its final answer; `runBytes` is the
   * run's estimate (`pairWorkerMemory`). A pool may keep it for the next run (`pairWorkerPool.ts`);
   * without this method the worker is terminated.
   */
  release?(runBytes: number): void;
}

/** How a host runs pair workers. */
export interface PairWorkers {
  /** How many pair workers may run at once (the cores to use); 1 scores on the calling thread. */
  readonly threads: number;
  /** Score in parallel even when the run is small (for tests; normally only big runs are split). */
  readonly always?: boolean;
  /**
   * Bytes all pair workers together may hold (default `DEFAULT_PAIR_MEMORY`): fewer workers start
   * when `pairWorkerMemory` says more would not fit, down to none (the calling thread does it all).
   */
  readonly memoryBudget?: number;
  spawn(): PairWorker;
}

/**
 * Multiply-adds below which a run is scored on the calling thread: starting workers and handing
 * them the states costs tens to hundreds of milliseconds, about what this much arithmetic takes
 * on one core (the GPT-2-small-sized runs of the benchmarks are 3 to 30 times more).
 */
export const PARALLEL_MIN_WORK = 2e9;

/** What all pair workers together may hold unless a host says otherwise: 2 GB. */
export const DEFAULT_PAIR_MEMORY = 2 * 1024 ** 3;

/**
 * A rough upper estimate of the bytes one pair worker holds at its peak for n tokens of d features:
 * four n x d float64 working copies and ten d x d ones (Gram matrices, factor, solutions, the
 * kernel's packed operands). Since the residuals and leverages go through the tokens in 4 MB
 * blocks (`tokenResiduals`), two n x d copies (the centred states) is nearer the mark; the estimate
 * was left as it was, an upper bound, because the pool's rule for keeping workers was measured
 * with it (`pairWorkerPool.ts`). For GPT-2 small at 4096 tokens that is ~150 MB; for d = 2048 and a
 * 16k-token reference, ~1.4 GB, so a machine with 8 cores must not start 8 of them.
 */
export function pairWorkerMemory(n: number, d: number): number {
  return 32 * n * d + 80 * d * d;
}

/** Multiply-adds of scoring every pair: per pair, one symmetric Gram matrix and one cross-Gram. */
export function pairScoringWork(L: number, n: number, d: number): number {
  return 1.5 * L * n * d * d;
}

/**
 * `analyzeLayers` on `workers.threads` cores when the run is big enough to pay for it; without
 * `workers`, on the calling thread.
 */
export async function analyzeLayersInParallel(
  states: HiddenStates,
  options: AnalyzeOptions,
  control: RunControl & { readonly onPair?: (record: LayerPairRecord) => void },
  workers?: PairWorkers,
): Promise<LayerAnalysis> {
  const L = blockCount(states);
  const runs = parallelRuns(states, options.pairs, workers);
  if (runs === null || workers === undefined) return analyzeLayers(states, options, control);
  let scored = 0;
  const shared = sharedStates(states);
  const parts = await onPairWorkers(
    runs,
    pairWorkerMemory(states.tokens, states.hidden),
    workers,
    control.signal,
    (pairs): PairRequest => ({
      task: 'score',
      states: shared,
      options: { ...options, reference: referenceFor(options.reference ?? null, pairs), pairs },
    }),
    (message) => {
      if (message.type === 'scored-pair') {
        control.onPair?.(message.record);
        control.onProgress?.({ stage: 'score', done: ++scored, total: L });
      }
      return message.type === 'scored' ? message.analysis : undefined;
    },
  );
  return mergeLayerAnalyses(parts, L);
}

/**
 * `fitReferenceMaps` on `workers.threads` cores when the reference is big enough to pay for it;
 * without `workers`, on the calling thread.
 */
export async function fitReferenceMapsInParallel(
  states: HiddenStates,
  options: ReferenceFitOptions,
  control: RunControl,
  workers?: PairWorkers,
): Promise<ReferenceFit> {
  const L = blockCount(states);
  const runs = parallelRuns(states, options.pairs, workers);
  if (runs === null || workers === undefined) return fitReferenceMaps(states, options, control);
  let fitted = 0;
  const shared = sharedStates(states);
  const parts = await onPairWorkers(
    runs,
    pairWorkerMemory(states.tokens, states.hidden),
    workers,
    control.signal,
    (pairs): PairRequest => ({ task: 'fit', states: shared, options: { ...options, pairs } }),
    (message) => {
      if (message.type === 'fitted-pair') control.onProgress?.({ stage: 'fit', done: ++fitted, total: L });
      return message.type === 'fitted' ? message.fit : undefined;
    },
  );
  return mergeReferenceFits(parts);
}

/**
 * The runs of pairs to hand to workers, or null when this thread should do it all: a small run, a
 * caller that chose its own pairs, or room in the memory budget for fewer than two workers.
 */
function parallelRuns(
  states: HiddenStates,
  pairs: readonly number[] | undefined,
  workers: PairWorkers | undefined,
): number[][] | null {
  if (workers === undefined) return null;
  const budget = workers.memoryBudget ?? DEFAULT_PAIR_MEMORY;
  const fitting = Math.floor(budget / pairWorkerMemory(states.tokens, states.hidden));
  const runs = contiguousPairRuns(blockCount(states), Math.min(workers.threads, fitting));
  const big = pairScoringWork(blockCount(states), states.tokens, states.hidden) >= PARALLEL_MIN_WORK;
  return runs.length < 2 || pairs !== undefined || !(big || workers.always) ? null : runs;
}

/**
 * Starts one worker per run with `request(run)` and collects each worker's part: `take` sees every
 * message (for progress) and returns the part from the final one. Rejects on the first error or on
 * abort. Afterwards the workers are released (a pool keeps them) when every part came in, and
 * terminated otherwise.
 */
async function onPairWorkers<T>(
  runs: readonly number[][],
  runBytes: number,
  workers: PairWorkers,
  signal: AbortSignal | undefined,
  request: (pairs: readonly number[]) => PairRequest,
  take: (message: PairMessage) => T | undefined,
): Promise<T[]> {
  signal?.throwIfAborted();
  const started: PairWorker[] = [];
  let finished = false;
  try {
    const parts = await new Promise<T[]>((resolve, reject) => {
      const parts: (T | undefined)[] = runs.map(() => undefined);
      let left = runs.length;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => settle(() => reject(signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      runs.forEach((pairs, p) => {
        const worker = workers.spawn();
        started.push(worker);
        worker.start(
          request(pairs),
          (message) => {
            if (settled) return;
            if (message.type === 'error') {
              const error = new Error(`Pairs ${pairs[0]}-${pairs[pairs.length - 1]}: ${message.message}`);
              error.name = message.name;
              settle(() => reject(error));
              return;
            }
            const part = take(message);
            if (part === undefined) return;
            parts[p] = part;
            if (--left === 0) settle(() => resolve(parts as T[]));
          },
          (error) => settle(() => reject(error)),
        );
      });
    });
    finished = true;
    return parts;
  } finally {
    // Every worker has its part when the run finished; otherwise some may still be computing.
    for (const worker of started) {
      if (finished && worker.release) worker.release(runBytes);
      else worker.terminate();
    }
  }
}

/**
 * The states in a SharedArrayBuffer, so that every worker reads the same memory: the states as
 * they are when they already are shared, one copy otherwise. Without SharedArrayBuffer (a page
 * that is not cross-origin isolated) they stay as they are and each worker gets a copy.
 */
function sharedStates(states: HiddenStates): HiddenStates {
  if (typeof SharedArrayBuffer === 'undefined' || states.data.buffer instanceof SharedArrayBuffer)
    return states;
  const data = new Float32Array(new SharedArrayBuffer(states.data.byteLength));
  data.set(states.data);
  return { ...states, data };
}

/**
 * The reference with only `pairs`' maps, so that each worker is handed only what it uses, their
 * weights in shared memory (`sharedWeights`).
 */
function referenceFor(reference: ReferenceFit | null, pairs: readonly number[]): ReferenceFit | null {
  if (reference === null) return null;
  const shared = sharedWeights(reference);
  const wanted = new Set(pairs);
  return { ...shared, pairs: shared.pairs.map((map, l) => (wanted.has(l) ? map : null)) };
}

/** Each fit's twin with its weights in SharedArrayBuffers, kept for as long as the fit is. */
const sharedFits = new WeakMap<ReferenceFit, ReferenceFit>();

/**
 * `fit` with every map's d x d weights in a SharedArrayBuffer, made once per fit: a worker handed
 * them reads the same memory, where a copy would be made for every run (12 maps of 768 x 768 float64
 * for GPT-2 small, 57 MB: 80-150 ms of a 256-token run in Chromium, on the way to the workers).
 * Without SharedArrayBuffer (a page that is not cross-origin isolated), `fit` itself.
 */
function sharedWeights(fit: ReferenceFit): ReferenceFit {
  if (typeof SharedArrayBuffer === 'undefined') return fit;
  let shared = sharedFits.get(fit);
  if (shared === undefined) {
    shared = {
      ...fit,
      pairs: fit.pairs.map((pair) => {
        if (pair === null || pair.map.weights.buffer instanceof SharedArrayBuffer) return pair;
        const weights = new Float64Array(new SharedArrayBuffer(pair.map.weights.byteLength));
        weights.set(pair.map.weights);
        return { ...pair, map: { ...pair.map, weights } };
      }),
    };
    sharedFits.set(fit, shared);
  }
  return shared;
}
