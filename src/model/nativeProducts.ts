/**
 * Big float64 products on onnxruntime-node's native GEMM, for the analysis core in Node (the CLI and
 * its pair workers, the benchmarks). In the page every product runs on LinScope's WebAssembly SIMD
 * kernel, whose 128-bit vectors cap it at 2 float64 lanes; onnxruntime's CPU GEMM (MLAS) uses the
 * widest vectors the CPU has (AVX-512 or AVX2) and is 2-4x faster per thread on the Gram products
 * that dominate a fit (docs/analysis.md, "Speed").
 *
 * The engine is one tiny ONNX model, `c = Gemm(a, b, transB = 1)` on float64 with free dimensions,
 * run through the binding's synchronous `run` (the analysis core is synchronous; the public
 * `InferenceSession.run` only wraps that call in a promise). The binding is onnxruntime-node's own
 * module, not its documented API, so anything unexpected there makes `createNativeProductEngine`
 * return null with a reason, and the WebAssembly kernel does the work as in the page.
 */
import { createRequire } from 'node:module';
import type { ProductEngine } from '../analysis/gram';
import { encodeOnnxModel } from './onnx/writer';

/** The ONNX model `c = a b^T`: a is m x n, b is e x n, c is m x e, all float64. */
export function productModelBytes(): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ version: 13 }],
    graph: {
      name: 'linscope-products',
      nodes: [
        {
          opType: 'Gemm',
          inputs: ['a', 'b'],
          outputs: ['c'],
          attributes: [{ name: 'transB', kind: 'int', value: 1 }],
        },
      ],
      inputs: [
        { name: 'a', type: 'float64', shape: ['m', 'n'] },
        { name: 'b', type: 'float64', shape: ['e', 'n'] },
      ],
      outputs: [{ name: 'c', type: 'float64', shape: ['m', 'e'] }],
    },
  });
}

/** The parts of onnxruntime-node's binding this module uses (dist/binding.d.ts). */
interface OutputTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface SyncSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, unknown>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, OutputTensor>;
}
interface BindingModule {
  binding?: { InferenceSession?: new () => SyncSession };
  initOrt?: () => void;
}
type TensorConstructor = new (type: 'float64', data: Float64Array, dims: number[]) => unknown;

export type NativeProducts = { engine: ProductEngine } | { engine: null; reason: string };

/**
 * The native engine with `threads` intra-op threads (onnxruntime's own pool, not spinning between
 * calls so that it leaves the cores to the work around the products), checked on a small product
 * before it is handed out.
 */
export function createNativeProductEngine(threads: number): NativeProducts {
  try {
    const require = createRequire(import.meta.url);
    const { binding, initOrt } = require('onnxruntime-node/dist/binding') as BindingModule;
    const { Tensor } = require('onnxruntime-node') as { Tensor: TensorConstructor };
    if (typeof initOrt !== 'function' || typeof binding?.InferenceSession !== 'function')
      return { engine: null, reason: 'this onnxruntime-node has no synchronous session binding' };
    initOrt();
    const session = new binding.InferenceSession();
    const model = productModelBytes();
    session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'disabled',
      // No arena: each product's output is freed when it has been copied out (an arena would keep
      // the largest one, d x n for the residuals of a reference fit, for the rest of the process).
      enableCpuMemArena: false,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    const engine: ProductEngine = {
      name: `onnxruntime-node native GEMM (${threads} thread${threads === 1 ? '' : 's'})`,
      multiplyTransposed(a, b, m, e, n) {
        const out = session.run(
          { a: new Tensor('float64', a, [m, n]), b: new Tensor('float64', b, [e, n]) },
          { c: null },
          {},
        ).c;
        if (!(out?.data instanceof Float64Array) || out.data.length !== m * e)
          throw new Error(`native product: expected ${m} x ${e} float64, got ${out?.dims?.join(' x ')}`);
        return out.data;
      },
    };
    // 2 x 3 times (2 x 3)^T, worked by hand: [[1,2,3],[4,5,6]] [[1,0,1],[0,1,0]]^T = [[4,2],[10,5]].
    const check = engine.multiplyTransposed(
      new Float64Array([1, 2, 3, 4, 5, 6]),
      new Float64Array([1, 0, 1, 0, 1, 0]),
      2,
      2,
      3,
    );
    if (check.join() !== '4,2,10,5') return { engine: null, reason: `self-check gave ${check.join()}` };
    return { engine };
  } catch (error) {
    return { engine: null, reason: error instanceof Error ? error.message : String(error) };
  }
}
