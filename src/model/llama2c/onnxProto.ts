/**
 * Plain data types for an ONNX model and their protobuf encoding (a subset of onnx.proto:
 * what a feed-forward graph of standard operators with initializers needs).
 */
import { ProtobufWriter } from '../onnx/protobufWriter';

// Field numbers from onnx/onnx.proto.
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 } as const;
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { value: 1, param: 2 } as const;

/** TensorProto.DataType values. */
export const ONNX_DATA_TYPE = { float32: 1, int64: 7, bool: 9 } as const;
export type OnnxElementType = keyof typeof ONNX_DATA_TYPE;

export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'string'; value: string };

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly OnnxAttribute[];
}

export type OnnxTensor =
  | { name: string; dims: readonly number[]; type: 'float32'; data: Float32Array }
  | { name: string; dims: readonly number[]; type: 'int64'; data: BigInt64Array };

/** A graph input or output: a tensor type whose dimensions are sizes or symbolic names. */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModelOptions {
  opsetVersion: number;
  irVersion: number;
  producerName: string;
}

/** Little-endian bytes of a tensor's elements, independent of the host's byte order. */
function rawData(tensor: OnnxTensor): Uint8Array {
  const bytes = new Uint8Array(tensor.data.length * (tensor.type === 'float32' ? 4 : 8));
  const view = new DataView(bytes.buffer);
  if (tensor.type === 'float32') {
    for (let i = 0; i < tensor.data.length; i++) view.setFloat32(i * 4, tensor.data[i], true);
  } else {
    for (let i = 0; i < tensor.data.length; i++) view.setBigInt64(i * 8, tensor.data[i], true);
  }
  return bytes;
}

function writeTensor(w: ProtobufWriter, tensor: OnnxTensor): void {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new RangeError(
      `tensor ${tensor.name}: dims [${tensor.dims}] need ${count} values, got ${tensor.data.length}`,
    );
  }
  for (const d of tensor.dims) w.int64(TENSOR.dims, d);
  w.int(TENSOR.dataType, ONNX_DATA_TYPE[tensor.type]);
  w.string(TENSOR.name, tensor.name);
  w.bytesField(TENSOR.rawData, rawData(tensor));
}

function writeAttribute(w: ProtobufWriter, a: OnnxAttribute): void {
  w.string(ATTRIBUTE.name, a.name);
  switch (a.kind) {
    case 'int':
      w.int64(ATTRIBUTE.i, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.int);
      break;
    case 'ints':
      for (const v of a.value) w.int64(ATTRIBUTE.ints, v);
      w.int(ATTRIBUTE.type, ATTRIBUTE_TYPE.ints);
      break;
    case 'float':
      w.float32(ATTRIBUTE.f, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.float);
      break;
    case 'floats':
      for (const v of a.value) w.float32(ATTRIBUTE.floats, v);
      w.int(ATTRIBUTE.type, ATTRIBUTE_TYPE.floats);
      break;
    case 'string':
      w.string(ATTRIBUTE.s, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.string);
      break;
  }
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.string(VALUE_INFO.name, v.name).message(VALUE_INFO.type, (t) =>
    t.message(TYPE.tensorType, (tt) =>
      tt.int(TENSOR_TYPE.elemType, ONNX_DATA_TYPE[v.type]).message(TENSOR_TYPE.shape, (s) => {
        for (const d of v.shape) {
          s.message(SHAPE.dim, (dim) =>
            typeof d === 'number' ? dim.int(DIMENSION.value, d) : dim.string(DIMENSION.param, d),
          );
        }
      }),
    ),
  );
}

function writeNode(w: ProtobufWriter, n: OnnxNode): void {
  for (const input of n.inputs) w.string(NODE.input, input);
  for (const output of n.outputs) w.string(NODE.output, output);
  w.string(NODE.name, n.name).string(NODE.opType, n.opType);
  for (const a of n.attributes) w.message(NODE.attribute, (aw) => writeAttribute(aw, a));
  w.string(NODE.domain, '');
}

export function encodeOnnxModel(graph: OnnxGraph, options: OnnxModelOptions): Uint8Array {
  return new ProtobufWriter()
    .int(MODEL.irVersion, options.irVersion)
    .string(MODEL.producerName, options.producerName)
    .message(MODEL.graph, (g) => {
      for (const n of graph.nodes) g.message(GRAPH.node, (nw) => writeNode(nw, n));
      g.string(GRAPH.name, graph.name);
      for (const t of graph.initializers) g.message(GRAPH.initializer, (tw) => writeTensor(tw, t));
      for (const v of graph.inputs) g.message(GRAPH.input, (vw) => writeValueInfo(vw, v));
      for (const v of graph.outputs) g.message(GRAPH.output, (vw) => writeValueInfo(vw, v));
    })
    .message(MODEL.opsetImport, (o) => o.string(OPSET.domain, '').int(OPSET.version, options.opsetVersion))
    .finish();
}
