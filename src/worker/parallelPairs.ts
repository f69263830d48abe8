/**
 * Scores a run's layer pairs on several cores: the pairs are cut into contiguous runs
 * (`contiguousPairRuns`), each run goes to a pair worker (`pairJob.ts`), and the parts are merged
 * (`mergeLayerAnalyses`). The numbers are identical to a single-threaded `analyzeLayers`: every pair
 * is computed by the same code on the same data, and the only extra work is one Gram matrix per
 * run for its first input state. Host-agnostic: the browser worker and the CLI pass their own way
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
  type HiddenStates,
  type LayerAnalysis,
  type LayerPairRecord,
  mergeLayerAnalyses,
  type ReferenceFit,
  type RunControl,
} from '../analysis';
import type { PairMessage, PairRequest } from './pairJob';

/** One started pair worker, whatever its host (Web Worker, Node worker thread). */
export interface PairWorker {
  /** Sends the request; answers arrive through `onMessage`, a crash or load failure through `onFailure`. */
  start(
    request: PairRequest,
    onMessage: (message: PairMessage) => void,
    onFailure: (error: Error) => void,
  ): void;
  terminate(): void;
}

/** How a host runs pair workers. */
export interface PairWorkers {
  /** How many pair workers may run at once (the cores to use); 1 scores on the calling thread. */
  readonly threads: number;
  /** Score in parallel even when the run is small (for tests; normally only big runs are split). */
  readonly always?: boolean;
  spawn(): PairWorker;
}

/**
 * Multiply-adds below which a run is scored on the calling thread: starting workers and handing
 * them the states costs tens to hundreds of milliseconds, about what this much arithmetic takes
 * on one core (the GPT-2-small-sized runs of the benchmarks are 3 to 30 times more).
 */
export const PARALLEL_MIN_WORK = 2e9;

/** Multiply-adds of scoring every pair: per pair, one symmetric Gram matrix and one cross-Gram. */
export function pairScoringWork(L: number, n: number, d: number): number {
  return 1.5 * L * n * d * d;
}

/** `analyzeLayers` on `workers.threads` cores when the run is big enough to pay for it. */
export async function analyzeLayersInParallel(
  states: HiddenStates,
  options: AnalyzeOptions,
  control: RunControl & { readonly onPair?: (record: LayerPairRecord) => void },
  workers: PairWorkers,
): Promise<LayerAnalysis> {
  const L = blockCount(states);
  const runs = contiguousPairRuns(L, workers.threads);
  const big = pairScoringWork(L, states.tokens, states.hidden) >= PARALLEL_MIN_WORK;
  if (runs.length < 2 || options.pairs !== undefined || !(big || workers.always)) {
    return analyzeLayers(states, options, control);
  }
  control.signal?.throwIfAborted();
  const shared = sharedStates(states);
  const started: PairWorker[] = [];
  let scored = 0;
  try {
    const parts = await new Promise<LayerAnalysis[]>((resolve, reject) => {
      const parts: (LayerAnalysis | null)[] = runs.map(() => null);
      let left = runs.length;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        control.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => settle(() => reject(control.signal?.reason));
      control.signal?.addEventListener('abort', onAbort, { once: true });
      runs.forEach((pairs, p) => {
        const worker = workers.spawn();
        started.push(worker);
        const request: PairRequest = {
          states: shared,
          options: { ...options, reference: referenceFor(options.reference ?? null, pairs), pairs },
        };
        worker.start(
          request,
          (message) => {
            if (settled) return;
            if (message.type === 'pair') {
              scored++;
              control.onPair?.(message.record);
              control.onProgress?.({ stage: 'score', done: scored, total: L });
            } else if (message.type === 'done') {
              parts[p] = message.analysis;
              if (--left === 0) settle(() => resolve(parts as LayerAnalysis[]));
            } else {
              const error = new Error(
                `Scoring pairs ${pairs[0]}-${pairs[pairs.length - 1]}: ${message.message}`,
              );
              error.name = message.name;
              settle(() => reject(error));
            }
          },
          (error) => settle(() => reject(error)),
        );
      });
    });
    return mergeLayerAnalyses(parts, L);
  } finally {
    for (const worker of started) worker.terminate();
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

/** The reference with only `pairs`' maps, so that each worker is handed only what it uses. */
function referenceFor(reference: ReferenceFit | null, pairs: readonly number[]): ReferenceFit | null {
  if (reference === null) return null;
  const wanted = new Set(pairs);
  return { ...reference, pairs: reference.pairs.map((map, l) => (wanted.has(l) ? map : null)) };
}
