/**
 * The one ONNX reader. `readOnnxGraph` is what LinScope needs to know of a model file to find and
 * add its hidden states: the nodes (names, ops, edges) and declared inputs and outputs, read
 * straight from the bytes; initializers (weights) are skipped, not decoded. The decoders below it
 * (attributes, tensors, value infos) read back what writer.ts writes, in detail.
 */
import {
  ATTRIBUTE,
  ATTRIBUTE_TYPE,
  DATA_LOCATION,
  DIMENSION,
  elementTypeOf,
  GRAPH,
  MODEL,
  NODE,
  STRING_STRING_ENTRY,
  TENSOR,
  TENSOR_SHAPE,
  TENSOR_TYPE,
  TYPE,
  VALUE_INFO,
} from './fields';
import {
  type ProtoField,
  protoFields,
  protoFloat32s,
  protoInt64,
  protoInt64s,
  protoString,
  WireType,
} from './protobufReader';
import type { OnnxAttribute, OnnxDim, OnnxTensor, OnnxValueInfo } from './types';

/** A node as read from a model file (the writer's node is `OnnxNodeSpec`). */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** True when an attribute holds a subgraph (If, Loop, Scan). */
  hasSubgraph: boolean;
  /** The AttributeProto bytes, as stored (views into the model bytes), so a node can be copied. */
  attributes: Uint8Array[];
}

/** The graph of a model file, as far as names and edges go (the writer's graph is `OnnxGraphSpec`). */
export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: string[];
  outputs: string[];
  initializers: Set<string>;
  /** Whether any initializer keeps its data in an external file (`.onnx_data`). */
  usesExternalData: boolean;
  /** The external data files the initializers name (`location`, relative to the model file). */
  externalDataFiles: Set<string>;
  /**
   * Per external data file, the bytes the initializers read from it (the largest `offset + length`;
   * an initializer that gives no length reads to the end of the file, and adds only its offset).
   */
  externalDataEnds: Map<string, number>;
}

/** The node stored in field `f` (a `GraphProto.node`) of `bytes`. */
export function readNodeField(bytes: Uint8Array, f: ProtoField): OnnxNode {
  const node: OnnxNode = {
    name: '',
    opType: '',
    domain: '',
    inputs: [],
    outputs: [],
    hasSubgraph: false,
    attributes: [],
  };
  for (const g of protoFields(bytes, f.start, f.end)) {
    if (g.field === NODE.input) node.inputs.push(protoString(bytes, g));
    else if (g.field === NODE.output) node.outputs.push(protoString(bytes, g));
    else if (g.field === NODE.name) node.name = protoString(bytes, g);
    else if (g.field === NODE.opType) node.opType = protoString(bytes, g);
    else if (g.field === NODE.domain) node.domain = protoString(bytes, g);
    else if (g.field === NODE.attribute) {
      node.attributes.push(bytes.subarray(g.start, g.end));
      for (const a of protoFields(bytes, g.start, g.end)) {
        if (a.field === ATTRIBUTE.g || a.field === ATTRIBUTE.graphs) node.hasSubgraph = true;
      }
    }
  }
  return node;
}

function readName(bytes: Uint8Array, f: ProtoField): string {
  for (const g of protoFields(bytes, f.start, f.end)) {
    if (g.field === VALUE_INFO.name) return protoString(bytes, g);
  }
  return '';
}

function readInitializerHeader(
  bytes: Uint8Array,
  f: ProtoField,
): { name: string; external: boolean; location: string | null; end: number } {
  let name = '';
  let external = false;
  let location: string | null = null;
  let offset = 0;
  let length = 0;
  for (const g of protoFields(bytes, f.start, f.end)) {
    if (g.field === TENSOR.name) name = protoString(bytes, g);
    else if (g.field === TENSOR.dataLocation && g.value === DATA_LOCATION.external) external = true;
    else if (g.field === TENSOR.externalData) {
      let key = '';
      let value = '';
      for (const e of protoFields(bytes, g.start, g.end)) {
        if (e.field === STRING_STRING_ENTRY.key) key = protoString(bytes, e);
        else if (e.field === STRING_STRING_ENTRY.value) value = protoString(bytes, e);
      }
      if (key === 'location') location = value;
      // ONNX stores both as decimal strings; one that is not a count is onnxruntime's to refuse.
      else if (key === 'offset') offset = /^\d+$/.test(value) ? Number(value) : 0;
      else if (key === 'length') length = /^\d+$/.test(value) ? Number(value) : 0;
    }
  }
  return { name, external, location, end: offset + length };
}

/**
 * Every field of every `ModelProto.graph` occurrence: several (as left by appending to a model,
 * see `appendToGraph`) merge, as protobuf says they do.
 */
function* graphFields(bytes: Uint8Array): Generator<ProtoField> {
  let sawGraph = false;
  for (const m of protoFields(bytes)) {
    if (m.field !== MODEL.graph || m.wireType !== WireType.lengthDelimited) continue;
    sawGraph = true;
    yield* protoFields(bytes, m.start, m.end);
  }
  if (!sawGraph) throw new Error('not an ONNX model: no graph found');
}

/** Parse the graph of an ONNX ModelProto: nodes, declared inputs and outputs, initializer names. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = {
    nodes: [],
    inputs: [],
    outputs: [],
    initializers: new Set(),
    usesExternalData: false,
    externalDataFiles: new Set(),
    externalDataEnds: new Map(),
  };
  for (const f of graphFields(bytes)) {
    if (f.field === GRAPH.node) graph.nodes.push(readNodeField(bytes, f));
    else if (f.field === GRAPH.input) graph.inputs.push(readName(bytes, f));
    else if (f.field === GRAPH.output) graph.outputs.push(readName(bytes, f));
    else if (f.field === GRAPH.initializer) {
      const init = readInitializerHeader(bytes, f);
      graph.initializers.add(init.name);
      if (init.external) {
        graph.usesExternalData = true;
        if (init.location) {
          graph.externalDataFiles.add(init.location);
          graph.externalDataEnds.set(
            init.location,
            Math.max(graph.externalDataEnds.get(init.location) ?? 0, init.end),
          );
        }
      }
    }
  }
  return graph;
}

/** An int64 as a number where that is exact, else as a bigint (see `OnnxAttribute`). */
function int64Value(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** Decode a TensorProto message (`bytes` holds just that message) whose data is in `raw_data`. */
export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: DataView | null = null;
  for (const f of protoFields(bytes)) {
    if (f.field === TENSOR.dims) dims.push(...protoInt64s(bytes, f).map(Number));
    else if (f.field === TENSOR.dataType) dataType = f.value;
    else if (f.field === TENSOR.name) name = protoString(bytes, f);
    else if (f.field === TENSOR.rawData)
      raw = new DataView(bytes.buffer, bytes.byteOffset + f.start, f.end - f.start);
  }
  const label = name || '(unnamed)';
  if (raw === null) throw new Error(`tensor ${label}: only tensors with raw_data are read here`);
  const view = raw;
  const count = dims.reduce((a, b) => a * b, 1);
  // raw_data is little-endian, whatever the host's byte order.
  const values = <T>(size: number, get: (offset: number) => T): T[] => {
    if (view.byteLength !== count * size) {
      throw new Error(
        `tensor ${label}: dims [${dims}] need ${count * size} bytes, raw_data has ${view.byteLength}`,
      );
    }
    return Array.from({ length: count }, (_, i) => get(i * size));
  };
  const named = (tensor: OnnxTensor): OnnxTensor => (name ? { ...tensor, name } : tensor);
  const type = elementTypeOf(dataType);
  switch (type) {
    case 'float32':
      return named({ type, dims, data: Float32Array.from(values(4, (o) => view.getFloat32(o, true))) });
    case 'float64':
      return named({ type, dims, data: Float64Array.from(values(8, (o) => view.getFloat64(o, true))) });
    case 'int32':
      return named({ type, dims, data: Int32Array.from(values(4, (o) => view.getInt32(o, true))) });
    case 'int64':
      return named({ type, dims, data: BigInt64Array.from(values(8, (o) => view.getBigInt64(o, true))) });
    default:
      throw new Error(`tensor ${label}: element type ${type ?? dataType} is not read here`);
  }
}

/**
 * Decode an AttributeProto (as in `OnnxNode.attributes`). Kinds the writer has no plain form for
 * (graphs, string lists, tensor lists) come back `encoded`, as stored.
 */
export function decodeAttribute(bytes: Uint8Array): OnnxAttribute {
  let name = '';
  let type = 0;
  const values: ProtoField[] = [];
  for (const f of protoFields(bytes)) {
    if (f.field === ATTRIBUTE.name) name = protoString(bytes, f);
    else if (f.field === ATTRIBUTE.type) type = f.value;
    else values.push(f);
  }
  const of = (field: number) => values.filter((f) => f.field === field);
  // A singular field: the last occurrence wins, and an absent one holds its default (a writer that
  // follows proto3 leaves out `i: 0`, `f: 0`, `s: ''`).
  const last = (field: number): ProtoField | undefined => of(field).at(-1);
  const i = last(ATTRIBUTE.i);
  const f = last(ATTRIBUTE.f);
  const s = last(ATTRIBUTE.s);
  const t = last(ATTRIBUTE.t);
  switch (type) {
    case ATTRIBUTE_TYPE.float:
      return { name, kind: 'float', value: f ? protoFloat32s(bytes, f)[0] : 0 };
    case ATTRIBUTE_TYPE.int:
      return { name, kind: 'int', value: i ? int64Value(protoInt64(bytes, i)) : 0 };
    case ATTRIBUTE_TYPE.string:
      return { name, kind: 'string', value: s ? protoString(bytes, s) : '' };
    case ATTRIBUTE_TYPE.tensor:
      if (!t) throw new Error(`attribute ${name}: a tensor attribute without a tensor`);
      return { name, kind: 'tensor', value: decodeTensor(bytes.subarray(t.start, t.end)) };
    case ATTRIBUTE_TYPE.floats:
      return { name, kind: 'floats', value: of(ATTRIBUTE.floats).flatMap((f) => protoFloat32s(bytes, f)) };
    case ATTRIBUTE_TYPE.ints:
      return {
        name,
        kind: 'ints',
        value: of(ATTRIBUTE.ints).flatMap((f) => protoInt64s(bytes, f).map(int64Value)),
      };
    default:
      return { kind: 'encoded', bytes };
  }
}

function readValueInfo(bytes: Uint8Array, f: ProtoField): OnnxValueInfo {
  let name = '';
  let type: OnnxValueInfo['type'];
  let shape: OnnxDim[] | undefined;
  for (const v of protoFields(bytes, f.start, f.end)) {
    if (v.field === VALUE_INFO.name) name = protoString(bytes, v);
    if (v.field !== VALUE_INFO.type) continue;
    for (const t of protoFields(bytes, v.start, v.end)) {
      if (t.field !== TYPE.tensorType) continue;
      for (const tt of protoFields(bytes, t.start, t.end)) {
        if (tt.field === TENSOR_TYPE.elemType) type = elementTypeOf(tt.value) ?? undefined;
        if (tt.field !== TENSOR_TYPE.shape) continue;
        shape = [];
        for (const s of protoFields(bytes, tt.start, tt.end)) {
          if (s.field !== TENSOR_SHAPE.dim) continue;
          let dim: OnnxDim = '';
          for (const d of protoFields(bytes, s.start, s.end)) {
            if (d.field === DIMENSION.value) dim = Number(protoInt64(bytes, d));
            else if (d.field === DIMENSION.param) dim = protoString(bytes, d);
          }
          shape.push(dim);
        }
      }
    }
  }
  return { name, ...(type === undefined ? {} : { type }), ...(shape === undefined ? {} : { shape }) };
}

/** The graph's declared inputs, outputs and intermediate value infos, with types and shapes. */
export function readValueInfos(bytes: Uint8Array): {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
} {
  const infos = {
    inputs: [] as OnnxValueInfo[],
    outputs: [] as OnnxValueInfo[],
    valueInfo: [] as OnnxValueInfo[],
  };
  for (const f of graphFields(bytes)) {
    if (f.field === GRAPH.input) infos.inputs.push(readValueInfo(bytes, f));
    else if (f.field === GRAPH.output) infos.outputs.push(readValueInfo(bytes, f));
    else if (f.field === GRAPH.valueInfo) infos.valueInfo.push(readValueInfo(bytes, f));
  }
  return infos;
}

/** The initializer called `name`, decoded (raw_data only, not external data), or null if none. */
export function readInitializer(bytes: Uint8Array, name: string): OnnxTensor | null {
  for (const f of graphFields(bytes)) {
    if (f.field === GRAPH.initializer && readInitializerHeader(bytes, f).name === name) {
      return decodeTensor(bytes.subarray(f.start, f.end));
    }
  }
  return null;
}
