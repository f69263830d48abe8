/**
 * What LinScope needs to know of an ONNX graph: its nodes (names, ops, edges) and declared inputs
 * and outputs. Read straight from the model bytes; initializers (weights) are skipped, not decoded.
 */
import { type ProtoField, protoFields, protoString } from './onnx/protobufReader';

// onnx.proto field numbers.
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { g: 6, graphs: 11 } as const;
const VALUE_INFO_NAME = 1;
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 } as const;
const ENTRY = { key: 1, value: 2 } as const;
const EXTERNAL = 1;

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

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: string[];
  outputs: string[];
  initializers: Set<string>;
  /** Whether any initializer keeps its data in an external file (`.onnx_data`). */
  usesExternalData: boolean;
  /** The external data files the initializers name (`location`, relative to the model file). */
  externalDataFiles: Set<string>;
}

function readNode(bytes: Uint8Array, f: ProtoField): OnnxNode {
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

function readName(bytes: Uint8Array, f: ProtoField, nameField: number): string {
  for (const g of protoFields(bytes, f.start, f.end)) if (g.field === nameField) return protoString(bytes, g);
  return '';
}

function readInitializer(
  bytes: Uint8Array,
  f: ProtoField,
): { name: string; external: boolean; location: string | null } {
  let name = '';
  let external = false;
  let location: string | null = null;
  for (const g of protoFields(bytes, f.start, f.end)) {
    if (g.field === TENSOR.name) name = protoString(bytes, g);
    else if (g.field === TENSOR.dataLocation && g.value === EXTERNAL) external = true;
    else if (g.field === TENSOR.externalData) {
      let key = '';
      let value = '';
      for (const e of protoFields(bytes, g.start, g.end)) {
        if (e.field === ENTRY.key) key = protoString(bytes, e);
        else if (e.field === ENTRY.value) value = protoString(bytes, e);
      }
      if (key === 'location') location = value;
    }
  }
  return { name, external, location };
}

/**
 * Parse the graph of an ONNX ModelProto. Several `graph` fields (as left by appending outputs)
 * merge, as protobuf says they do.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = {
    nodes: [],
    inputs: [],
    outputs: [],
    initializers: new Set(),
    usesExternalData: false,
    externalDataFiles: new Set(),
  };
  let sawGraph = false;
  for (const m of protoFields(bytes)) {
    if (m.field !== MODEL_GRAPH || m.wireType !== 2) continue;
    sawGraph = true;
    for (const f of protoFields(bytes, m.start, m.end)) {
      if (f.field === GRAPH.node) graph.nodes.push(readNode(bytes, f));
      else if (f.field === GRAPH.input) graph.inputs.push(readName(bytes, f, VALUE_INFO_NAME));
      else if (f.field === GRAPH.output) graph.outputs.push(readName(bytes, f, VALUE_INFO_NAME));
      else if (f.field === GRAPH.initializer) {
        const init = readInitializer(bytes, f);
        graph.initializers.add(init.name);
        if (init.external) {
          graph.usesExternalData = true;
          if (init.location) graph.externalDataFiles.add(init.location);
        }
      }
    }
  }
  if (!sawGraph) throw new Error('not an ONNX model: no graph found');
  return graph;
}
