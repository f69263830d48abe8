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
import { ProtobufWriter } from './protobufWriter';

// ONNX field numbers (onnx.proto3).
const MODEL = { irVersion: 1, opsetImport: 8, graph: 7 } as const;
const OPSET = { version: 2 } as const;
const GRAPH = { node: 1, name: 2, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, i: 3, type: 20 } as const;
const ATTRIBUTE_INT = 2;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { param: 2 } as const;
const DOUBLE = 11;

function matrixInfo(w: ProtobufWriter, name: string, rows: string, cols: string): void {
  w.string(VALUE_INFO.name, name).message(VALUE_INFO.type, (t) =>
    t.message(TYPE.tensorType, (tt) =>
      tt
        .int(TENSOR_TYPE.elemType, DOUBLE)
        .message(TENSOR_TYPE.shape, (s) =>
          s
            .message(SHAPE.dim, (d) => d.string(DIM.param, rows))
            .message(SHAPE.dim, (d) => d.string(DIM.param, cols)),
        ),
    ),
  );
}

/** The ONNX model `c = a b^T`: a is m x n, b is e x n, c is m x e, all float64. */
export function productModelBytes(): Uint8Array {
  return new ProtobufWriter()
    .int(MODEL.irVersion, 8)
    .message(MODEL.opsetImport, (o) => o.int(OPSET.version, 13))
    .message(MODEL.graph, (g) =>
      g
        .message(GRAPH.node, (node) =>
          node
            .string(NODE.input, 'a')
            .string(NODE.input, 'b')
            .string(NODE.output, 'c')
            .string(NODE.opType, 'Gemm')
            .message(NODE.attribute, (at) =>
              at.string(ATTRIBUTE.name, 'transB').int(ATTRIBUTE.i, 1).int(ATTRIBUTE.type, ATTRIBUTE_INT),
            ),
        )
        .string(GRAPH.name, 'linscope-products')
        .message(GRAPH.input, (v) => matrixInfo(v, 'a', 'm', 'n'))
        .message(GRAPH.input, (v) => matrixInfo(v, 'b', 'e', 'n'))
        .message(GRAPH.output, (v) => matrixInfo(v, 'c', 'm', 'e')),
    )
    .finish();
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
