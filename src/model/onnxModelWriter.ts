/**
 * Small ONNX models written from scratch: one graph of a few nodes over dense tensors, for LinScope's
 * helper models (the backend probe, the native float64 product). Field numbers are onnx.proto3's.
 */
import { ProtobufWriter } from './onnx/protobufWriter';

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
const DIM = { value: 1, param: 2 } as const;
const ELEMENT_TYPE = { float32: 1, float64: 11 } as const;

/** A graph input or output: element type and shape (numbers are fixed sizes, strings free dimensions). */
export interface TensorSpec {
  readonly name: string;
  readonly type: keyof typeof ELEMENT_TYPE;
  readonly dims: readonly (number | string)[];
}

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (e.g. Gemm's transB). */
  readonly ints?: Readonly<Record<string, number>>;
}

export interface ModelSpec {
  readonly name: string;
  /** Version of the default ONNX operator set. */
  readonly opset: number;
  readonly nodes: readonly NodeSpec[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

function tensorInfo(w: ProtobufWriter, spec: TensorSpec): void {
  w.string(VALUE_INFO.name, spec.name).message(VALUE_INFO.type, (t) =>
    t.message(TYPE.tensorType, (tt) =>
      tt.int(TENSOR_TYPE.elemType, ELEMENT_TYPE[spec.type]).message(TENSOR_TYPE.shape, (s) => {
        for (const dim of spec.dims)
          s.message(SHAPE.dim, (d) =>
            typeof dim === 'number' ? d.int(DIM.value, dim) : d.string(DIM.param, dim),
          );
      }),
    ),
  );
}

function node(w: ProtobufWriter, spec: NodeSpec): void {
  for (const i of spec.inputs) w.string(NODE.input, i);
  for (const o of spec.outputs) w.string(NODE.output, o);
  w.string(NODE.opType, spec.opType);
  for (const [name, value] of Object.entries(spec.ints ?? {}))
    w.message(NODE.attribute, (a) =>
      a.string(ATTRIBUTE.name, name).int(ATTRIBUTE.i, value).int(ATTRIBUTE.type, ATTRIBUTE_INT),
    );
}

/** The encoded ModelProto (IR version 8). */
export function onnxModelBytes(spec: ModelSpec): Uint8Array {
  return new ProtobufWriter()
    .int(MODEL.irVersion, 8)
    .message(MODEL.opsetImport, (o) => o.int(OPSET.version, spec.opset))
    .message(MODEL.graph, (g) => {
      for (const n of spec.nodes) g.message(GRAPH.node, (w) => node(w, n));
      g.string(GRAPH.name, spec.name);
      for (const i of spec.inputs) g.message(GRAPH.input, (w) => tensorInfo(w, i));
      for (const o of spec.outputs) g.message(GRAPH.output, (w) => tensorInfo(w, o));
    })
    .finish();
}
