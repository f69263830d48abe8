/**
 * How the CLI spreads the analysis over the cores: with native products, onnxruntime's GEMM gets
 * every core (`threads`) and no pair workers run (measured: pair workers with one native thread each
 * are slower than one pool with all of them, docs/analysis.md "Speed"); with the WebAssembly kernel,
 * as in the page, big runs are split over pair workers.
 */
import { availableParallelism } from 'node:os';
import { setProductEngine } from '../src/analysis/gram';
import type { PairWorkers } from '../src/job/parallelPairs';
import { createNativeProductEngine } from '../src/model/nativeProducts';
import type { ProductKernel } from './args';
import { nodePairWorkers } from './nodePairWorkers';

export interface AnalysisCores {
  /** Pair workers for runAnalyzeJob, when the products run in WebAssembly. */
  readonly pairWorkers?: PairWorkers;
  /** Why native products were asked for but are not in use, if so. */
  readonly fallback?: string;
}

/**
 * Installs the product engine for this process (native) or leaves the WebAssembly kernel in place,
 * and says whether pair workers run. `threads` null: every core (pair workers only for big runs).
 */
export function installAnalysisCores(threads: number | null, kernel: ProductKernel): AnalysisCores {
  const count = threads ?? availableParallelism();
  const pairWorkers = nodePairWorkers(count, threads !== null && threads > 1);
  if (kernel === 'wasm') {
    setProductEngine(null);
    return { pairWorkers };
  }
  const made = createNativeProductEngine(count);
  if (made.engine === null) return { pairWorkers, fallback: made.reason };
  setProductEngine(made.engine);
  return {};
}
