/**
 * The one ONNX writer: whole models written from scratch (the backend probe, the float64 product
 * engine, the llama2.c converter) and graph parts appended to a model file as it is (surgery/).
 * Fields go out in field-number order; optional fields left empty are not written at all.
 */
import {
  ATTRIBUTE,
  ATTRIBUTE_TYPE,
  DIMENSION,
  ELEMENT_TYPE,
  GRAPH,
  MODEL,
  NODE,
  OPERATOR_SET_ID,
  TENSOR,
  TENSOR_SHAPE,
  TENSOR_TYPE,
  TYPE,
  VALUE_INFO,
} from './fields';
import { type ProtoField, protoFields, WireType } from './protobufReader';
import { ProtobufWriter } from './protobufWriter';
import { type OnnxNode, readNodeField } from './reader';
import type {
  OnnxAttribute,
  OnnxGraphSpec,
  OnnxModel,
  OnnxNodeSpec,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxValueInfo,
} from './types';

/** Little-endian bytes of a tensor's elements, whatever the host's byte order (ONNX's raw_data). */
function rawData(tensor: OnnxTensor): Uint8Array {
  const bytes = new Uint8Array(tensor.data.byteLength);
  const view = new DataView(bytes.buffer);
  const n = tensor.data.length;
  switch (tensor.type) {
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(i * 4, tensor.data[i], true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(i * 8, tensor.data[i], true);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(i * 4, tensor.data[i], true);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) view.setBigInt64(i * 8, tensor.data[i], true);
      break;
  }
  return bytes;
}

function writeTensor(w: ProtobufWriter, tensor: OnnxTensor): void {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new RangeError(
      `tensor ${tensor.name ?? '(unnamed)'}: dims [${tensor.dims}] need ${count} values, got ${tensor.data.length}`,
    );
  }
  for (const d of tensor.dims) w.int64(TENSOR.dims, d);
  w.int(TENSOR.dataType, ELEMENT_TYPE[tensor.type]);
  if (tensor.name) w.string(TENSOR.name, tensor.name);
  w.bytesField(TENSOR.rawData, rawData(tensor));
}

function writeAttribute(w: ProtobufWriter, a: Exclude<OnnxAttribute, { kind: 'encoded' }>): void {
  w.string(ATTRIBUTE.name, a.name);
  switch (a.kind) {
    case 'float':
      w.float32(ATTRIBUTE.f, a.value);
      break;
    case 'int':
      w.int64(ATTRIBUTE.i, a.value);
      break;
    case 'string':
      w.string(ATTRIBUTE.s, a.value);
      break;
    case 'tensor':
      w.message(ATTRIBUTE.t, (t) => writeTensor(t, a.value));
      break;
    case 'floats':
      for (const v of a.value) w.float32(ATTRIBUTE.floats, v);
      break;
    case 'ints':
      for (const v of a.value) w.int64(ATTRIBUTE.ints, v);
      break;
  }
  w.int(ATTRIBUTE.type, ATTRIBUTE_TYPE[a.kind]);
}

function writeNode(w: ProtobufWriter, node: OnnxNodeSpec): void {
  for (const input of node.inputs) w.string(NODE.input, input);
  for (const output of node.outputs) w.string(NODE.output, output);
  if (node.name) w.string(NODE.name, node.name);
  w.string(NODE.opType, node.opType);
  for (const a of node.attributes ?? []) {
    if (a.kind === 'encoded') w.bytesField(NODE.attribute, a.bytes);
    else w.message(NODE.attribute, (aw) => writeAttribute(aw, a));
  }
  if (node.domain) w.string(NODE.domain, node.domain);
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.string(VALUE_INFO.name, v.name);
  const { type, shape } = v;
  if (type === undefined && shape === undefined) return;
  w.message(VALUE_INFO.type, (t) =>
    t.message(TYPE.tensorType, (tt) => {
      if (type !== undefined) tt.int(TENSOR_TYPE.elemType, ELEMENT_TYPE[type]);
      if (shape === undefined) return;
      tt.message(TENSOR_TYPE.shape, (s) => {
        for (const d of shape) {
          s.message(TENSOR_SHAPE.dim, (dim) => {
            if (typeof d === 'number') dim.int(DIMENSION.value, d);
            else if (d !== '') dim.string(DIMENSION.param, d);
          });
        }
      });
    }),
  );
}

function writeGraph(w: ProtobufWriter, graph: OnnxGraphSpec): void {
  for (const n of graph.nodes) w.message(GRAPH.node, (nw) => writeNode(nw, n));
  if (graph.name) w.string(GRAPH.name, graph.name);
  for (const t of graph.initializers ?? []) w.message(GRAPH.initializer, (tw) => writeTensor(tw, t));
  for (const v of graph.inputs ?? []) w.message(GRAPH.input, (vw) => writeValueInfo(vw, v));
  for (const v of graph.outputs ?? []) w.message(GRAPH.output, (vw) => writeValueInfo(vw, v));
  for (const v of graph.valueInfo ?? []) w.message(GRAPH.valueInfo, (vw) => writeValueInfo(vw, v));
}

function writeOpsetImport(w: ProtobufWriter, opset: OnnxOpsetImport): void {
  if (opset.domain) w.string(OPERATOR_SET_ID.domain, opset.domain);
  w.int(OPERATOR_SET_ID.version, opset.version);
}

/** The bytes of a `.onnx` file (an encoded ModelProto). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtobufWriter().int(MODEL.irVersion, model.irVersion);
  if (model.producerName) w.string(MODEL.producerName, model.producerName);
  w.message(MODEL.graph, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) w.message(MODEL.opsetImport, (ow) => writeOpsetImport(ow, o));
  return w.finish();
}

/**
 * A model with `part` added to its graph, without decoding or re-encoding anything already there.
 *
 * Protobuf merges a message field that occurs twice, concatenating repeated fields, so a second
 * `ModelProto.graph` field appended to the unchanged bytes extends the graph: new nodes, outputs,
 * initializers. The weights are copied once, never decoded. A part can only add: a node that
 * should read a new tensor instead of an old one cannot be changed this way.
 */
export function appendToGraph(model: Uint8Array, part: OnnxGraphSpec): Uint8Array {
  const suffix = new ProtobufWriter().message(MODEL.graph, (g) => writeGraph(g, part)).finish();
  const out = new Uint8Array(model.length + suffix.length);
  out.set(model, 0);
  out.set(suffix, model.length);
  return out;
}

/** How `rewriteGraph` changes a graph: each node becomes what `node` returns, then `append` is added. */
export interface GraphRewrite {
  /** The nodes to write in place of `node` (itself, changed, or with new nodes after it), in order. */
  readonly node: (node: OnnxNode) => readonly OnnxNodeSpec[];
  /** Inputs, outputs, nodes and initializers to add to the graph (after everything else). */
  readonly append?: OnnxGraphSpec;
}

/** A node as read, as a node to write: attributes copied as stored. */
export function nodeSpecOf(node: OnnxNode): OnnxNodeSpec {
  return {
    name: node.name || undefined,
    opType: node.opType,
    domain: node.domain || undefined,
    inputs: node.inputs,
    outputs: node.outputs,
    attributes: node.attributes.map((bytes) => ({ kind: 'encoded', bytes })),
  };
}

/**
 * Writes `model` into `w` field by field, as stored, but for the fields of its graph(s), which go to
 * `graphField` first: it writes what stands in a field's place into `g` and returns true, or returns
 * false and the field is copied as stored. Nothing `graphField` passes over is decoded, so weights are
 * copied once, byte for byte. Throws where `model` has no graph.
 */
export function copyModel(
  model: Uint8Array,
  w: ProtobufWriter,
  graphField: (field: ProtoField, g: ProtobufWriter) => boolean,
): void {
  let fieldStart = 0;
  let sawGraph = false;
  for (const m of protoFields(model)) {
    const raw = model.subarray(fieldStart, m.end);
    fieldStart = m.end;
    if (m.field !== MODEL.graph || m.wireType !== WireType.lengthDelimited) {
      w.encoded(raw);
      continue;
    }
    sawGraph = true;
    w.message(MODEL.graph, (g) => {
      let graphFieldStart = m.start;
      for (const f of protoFields(model, m.start, m.end)) {
        const rawField = model.subarray(graphFieldStart, f.end);
        graphFieldStart = f.end;
        if (!graphField(f, g)) g.encoded(rawField);
      }
    });
  }
  if (!sawGraph) throw new Error('not an ONNX model: no graph found');
}

/**
 * A model whose graph nodes are rewritten (`rewrite.node`), for surgery that changes what existing
 * nodes read, which `appendToGraph` cannot do. Every other field, of the model and of its graph
 * (initializers above all), is copied as stored, byte for byte, without being decoded
 * (`copyModel`). Nodes keep their order, so new nodes placed right after a producer keep the graph
 * topologically sorted.
 */
export function rewriteGraph(model: Uint8Array, rewrite: GraphRewrite): Uint8Array {
  const w = new ProtobufWriter();
  copyModel(model, w, (f, g) => {
    if (f.field !== GRAPH.node || f.wireType !== WireType.lengthDelimited) return false;
    for (const node of rewrite.node(readNodeField(model, f)))
      g.message(GRAPH.node, (nw) => writeNode(nw, node));
    return true;
  });
  const { append } = rewrite;
  if (append) w.message(MODEL.graph, (g) => writeGraph(g, append));
  return w.finish();
}
