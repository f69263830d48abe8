/**
 * Find every layer's hidden state in a decoder's ONNX graph, by structure rather than exact names.
 *
 * Layers are recognised by the index in their node scope (`h.N`, `layers.N`, `layer.N`, `blocks.N`).
 * Two graph styles are understood:
 * - `residual-add` (torch.onnx.export of Hugging Face modules, as optimum and the Hub's exports make
 *   them): block i's output is the block-level `Add` in scope i that is consumed outside block i; the
 *   state entering block i is what the chain of block-level Adds reads from outside the block. The
 *   two views must agree for every i, or the graph is refused. Where a block has no block-level sum
 *   that leaves it, its residual Adds sit inside submodules (BLOOM's `self_attention/Add_2` and
 *   `mlp/Add`, MPT's `ffn/Add`: the submodule adds the residual itself), and Adds at any depth of
 *   block i are taken instead, for that block only.
 * - `fused-skip-norm` (onnxruntime-genai builder): the 4th output of layer i's fused
 *   SkipSimplifiedLayerNormalization is the residual sum entering layer i; the final fused norm has no
 *   such output, so one extra Add of its two inputs yields the last block's pre-norm output.
 *
 * The result follows Hugging Face `output_hidden_states`: L+1 states, index 0 the embedding output,
 * index L the last block's output after the final norm (the pre-norm one is returned separately).
 * See docs/hidden-states.md for the naming conventions this rests on.
 */
import { LinScopeError } from '../errors';
import type { OnnxGraph, OnnxNode } from './onnx/reader';

export interface ExtraNode {
  name: string;
  opType: string;
  inputs: string[];
  output: string;
}

export interface HiddenStatePlan {
  style: 'residual-add' | 'fused-skip-norm';
  layers: number;
  /** L+1 tensor names, Hugging Face `output_hidden_states` order. */
  hiddenStates: string[];
  /** The last block's output before the final norm. */
  lastBlockOutput: string;
  /** Nodes to add to the graph (the fused style's pre-norm sum). */
  extraNodes: ExtraNode[];
}

/** Name of the tensor LinScope adds for the fused style's last pre-norm state. */
export const ADDED_LAST_BLOCK_OUTPUT = 'linscope/last_block_output';

const LAYER_SCOPE = /^(.*?\/(?:h|layers|layer|blocks))\.(\d+)(\/|$)/;
/** Ops inserted by quantisation in front of MatMuls: their names borrow the scope of the tensor they read. */
const QUANTISATION_OPS = new Set(['DynamicQuantizeLinear', 'QuantizeLinear', 'DequantizeLinear']);
const FUSED_SKIP_NORMS = new Set(['SkipSimplifiedLayerNormalization', 'SkipLayerNormalization']);
const PLAIN_NORMS = new Set(['SimplifiedLayerNormalization', 'LayerNormalization', 'RMSNormalization']);

interface LayerInfo {
  prefix: string;
  index: number;
}

function layerOf(node: OnnxNode): LayerInfo | null {
  if (QUANTISATION_OPS.has(node.opType)) return null;
  const m = LAYER_SCOPE.exec(node.name);
  return m ? { prefix: m[1], index: Number(m[2]) } : null;
}

function scopeOf(node: OnnxNode): string | null {
  if (QUANTISATION_OPS.has(node.opType)) return null;
  const cut = node.name.lastIndexOf('/');
  return cut > 0 ? node.name.slice(0, cut) : null;
}

function unsupported(message: string): LinScopeError {
  return new LinScopeError(
    'UNSUPPORTED_GRAPH',
    `LinScope cannot find the hidden states in this model's graph: ${message}`,
  );
}

class GraphIndex {
  readonly producer = new Map<string, OnnxNode>();
  readonly consumers = new Map<string, OnnxNode[]>();
  readonly layer = new Map<OnnxNode, number>();
  constructor(readonly graph: OnnxGraph) {
    for (const node of graph.nodes) {
      for (const out of node.outputs) if (out) this.producer.set(out, node);
      for (const inp of node.inputs) {
        if (!inp) continue;
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
      const info = layerOf(node);
      if (info) this.layer.set(node, info.index);
    }
  }
  layerOfNode(node: OnnxNode | undefined): number {
    return node ? (this.layer.get(node) ?? -1) : -1;
  }
}

/** The layer scopes present, checked to be 0..L-1 under one prefix. */
function countLayers(graph: OnnxGraph, expected: number | undefined): number {
  const byPrefix = new Map<string, Set<number>>();
  for (const node of graph.nodes) {
    const info = layerOf(node);
    if (!info) continue;
    const set = byPrefix.get(info.prefix) ?? new Set<number>();
    set.add(info.index);
    byPrefix.set(info.prefix, set);
  }
  if (byPrefix.size === 0) {
    throw unsupported(
      'no node names carry a layer index (like "/model/layers.0/..." or "/transformer/h.0/...").',
    );
  }
  if (byPrefix.size > 1)
    throw unsupported(`layer indices appear under several scopes: ${[...byPrefix.keys()].join(', ')}.`);
  const indices = [...byPrefix.values()][0];
  const found = Math.max(...indices) + 1;
  // The genai builder names its final norm `/model/layers.{L}/final_norm_layernorm/...`.
  const layers = expected ?? found;
  // A config whose layer count the graph does not have is the model folder's fault, not the graph's.
  if (found !== layers && found !== layers + 1)
    throw new LinScopeError(
      'BAD_INPUT',
      `This model's config.json says ${layers} layers, but its ONNX graph has ${found} (layer scopes 0..${found - 1}): ` +
        'the config and the weights do not belong together. Use the config.json of the same export as onnx/model.onnx.',
    );
  for (let i = 0; i < layers; i++) if (!indices.has(i)) throw unsupported(`layer ${i} has no nodes.`);
  return layers;
}

/**
 * Ops on the residual stream's path through a block: the block-level residual Adds, and ops that
 * leave values unchanged which an export may put on the path (RMSNorm's float32 Cast, OPT's
 * Reshapes that flatten tokens for its MLP, Identity). Of the latter only the data input is followed.
 * Adds inside submodules (biases, attention masks) are not on the path, unless the block has its
 * residual sums there (`anyDepth`: see the file's comment).
 */
const RESIDUAL_PATH_OPS = new Set(['Add', 'Cast', 'Reshape', 'Identity']);

function onResidualPath(node: OnnxNode, layer: number, anyDepth: boolean): boolean {
  if (!RESIDUAL_PATH_OPS.has(node.opType)) return false;
  return node.opType !== 'Add' || inBlock(node, layer, anyDepth);
}

function dataInputs(node: OnnxNode): string[] {
  return (node.opType === 'Add' ? node.inputs : node.inputs.slice(0, 1)).filter(Boolean);
}

/** Nodes directly in block i's scope (`.../layers.i/Add_1`), not inside a submodule. */
function isBlockLevel(node: OnnxNode, layer: number): boolean {
  const m = LAYER_SCOPE.exec(node.name);
  return m !== null && Number(m[2]) === layer && !node.name.slice(m[0].length).includes('/');
}

/** Nodes of block i where its residual sums are looked for: block-level only, or at any depth. */
function inBlock(node: OnnxNode, layer: number, anyDepth: boolean): boolean {
  return anyDepth ? layerOf(node)?.index === layer : isBlockLevel(node, layer);
}

/**
 * The layers of the nodes that read a tensor. A quantisation op (q8 exports put a
 * DynamicQuantizeLinear in front of the MatMuls that read a tensor) belongs to no layer by its name:
 * it stands for the nodes that read its outputs, so that a sum read by its own block's MLP through
 * one (OLMo-2: the MLP reads the residual stream without a norm in between) stays inside the block.
 */
function consumerLayers(index: GraphIndex, tensor: string, seen = new Set<string>()): number[] {
  if (seen.has(tensor)) return [];
  seen.add(tensor);
  return (index.consumers.get(tensor) ?? []).flatMap((c) =>
    QUANTISATION_OPS.has(c.opType)
      ? c.outputs.filter(Boolean).flatMap((t) => consumerLayers(index, t, seen))
      : [index.layerOfNode(c)],
  );
}

/** Outputs of block i's residual-path nodes that later nodes read (block-level only, or any depth). */
function sumsLeavingBlock(index: GraphIndex, i: number, anyDepth: boolean): string[] {
  return index.graph.nodes
    .filter((n) => RESIDUAL_PATH_OPS.has(n.opType) && inBlock(n, i, anyDepth))
    .flatMap((n) => n.outputs.filter((t) => t && consumerLayers(index, t).some((layer) => layer !== i)));
}

function findResidualAddPlan(graph: OnnxGraph, layers: number): HiddenStatePlan {
  const index = new GraphIndex(graph);
  const blockOutputs: string[] = [];
  const blockInputs: string[] = [];
  for (let i = 0; i < layers; i++) {
    // Block i's output: what a block-level residual-path node of block i hands to later nodes; where
    // none does, the block adds its residual inside submodules (BLOOM, MPT): look at any depth.
    let anyDepth = false;
    let leaving = sumsLeavingBlock(index, i, false);
    if (leaving.length === 0) {
      anyDepth = true;
      leaving = sumsLeavingBlock(index, i, true);
    }
    if (leaving.length !== 1) {
      throw unsupported(
        `block ${i} passes ${leaving.length} residual sums to later nodes (expected exactly 1).`,
      );
    }
    blockOutputs.push(leaving[0]);
    // Walk the residual path back from the output to what it reads from outside the block.
    const outside = new Set<string>();
    const stack = [leaving[0]];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const tensor = stack.pop()!;
      if (seen.has(tensor)) continue;
      seen.add(tensor);
      const producer = index.producer.get(tensor);
      if (!producer || index.layerOfNode(producer) !== i) {
        if (!graph.initializers.has(tensor) && producer?.opType !== 'Constant') outside.add(tensor);
        continue;
      }
      if (onResidualPath(producer, i, anyDepth)) stack.push(...dataInputs(producer));
    }
    if (outside.size !== 1) {
      throw unsupported(
        `block ${i}'s residual path reads ${outside.size} tensors from outside the block (expected 1).`,
      );
    }
    blockInputs.push([...outside][0]);
  }
  for (let i = 1; i < layers; i++) {
    if (blockInputs[i] !== blockOutputs[i - 1]) {
      throw unsupported(
        `block ${i} reads "${blockInputs[i]}" but block ${i - 1} writes "${blockOutputs[i - 1]}".`,
      );
    }
  }
  const lastBlockOutput = blockOutputs[layers - 1];
  const finalNorm = findFinalNormOutput(index, lastBlockOutput, layers);
  return {
    style: 'residual-add',
    layers,
    hiddenStates: [blockInputs[0], ...blockOutputs.slice(0, -1), finalNorm],
    lastBlockOutput,
    extraNodes: [],
  };
}

/** The final norm: the scope that reads the last block's output; its result is what leaves that scope. */
function findFinalNormOutput(index: GraphIndex, lastBlockOutput: string, layers: number): string {
  const readers = (index.consumers.get(lastBlockOutput) ?? []).filter(
    (c) => index.layerOfNode(c) !== layers - 1,
  );
  const scopes = new Set(readers.map(scopeOf));
  if (readers.length === 0 || scopes.size !== 1 || scopes.has(null)) {
    throw unsupported(
      `the last block's output is read by ${readers.length} nodes in ${scopes.size} scopes, not by one final norm.`,
    );
  }
  const scope = [...scopes][0]!;
  const inScope = index.graph.nodes.filter((n) => scopeOf(n) === scope);
  const leaving = inScope.flatMap((n) =>
    n.outputs.filter((t) => t && (index.consumers.get(t) ?? []).some((c) => scopeOf(c) !== scope)),
  );
  const declared = inScope.flatMap((n) => n.outputs.filter((t) => index.graph.outputs.includes(t)));
  const candidates = [...new Set([...leaving, ...declared])];
  if (candidates.length !== 1)
    throw unsupported(`the final norm (${scope}) has ${candidates.length} outputs (expected 1).`);
  return candidates[0];
}

function findFusedSkipNormPlan(graph: OnnxGraph, layers: number): HiddenStatePlan {
  const normIn = (i: number) =>
    graph.nodes.find((n) => {
      const m = LAYER_SCOPE.exec(n.name);
      return m !== null && Number(m[2]) === i && n.name.slice(m[0].length).startsWith('input_layernorm/');
    });
  const first = normIn(0);
  if (!first || !PLAIN_NORMS.has(first.opType))
    throw unsupported('layer 0 has no input_layernorm to read the embeddings from.');
  const states = [first.inputs[0]];
  for (let i = 1; i < layers; i++) {
    const norm = normIn(i);
    if (!norm || !FUSED_SKIP_NORMS.has(norm.opType) || !norm.outputs[3]) {
      throw unsupported(
        `layer ${i}'s input_layernorm is not a fused skip norm with a residual (4th) output.`,
      );
    }
    states.push(norm.outputs[3]);
  }
  const finals = graph.nodes.filter((n) => FUSED_SKIP_NORMS.has(n.opType) && /final/i.test(n.name));
  if (finals.length !== 1) throw unsupported(`found ${finals.length} fused final norms (expected 1).`);
  const final = finals[0];
  const [input, skip, , bias] = final.inputs;
  const extraNodes: ExtraNode[] = [];
  if (bias) {
    extraNodes.push({
      name: 'linscope/last_block_sum',
      opType: 'Add',
      inputs: [input, skip],
      output: 'linscope/last_block_sum',
    });
    extraNodes.push({
      name: ADDED_LAST_BLOCK_OUTPUT,
      opType: 'Add',
      inputs: ['linscope/last_block_sum', bias],
      output: ADDED_LAST_BLOCK_OUTPUT,
    });
  } else {
    extraNodes.push({
      name: ADDED_LAST_BLOCK_OUTPUT,
      opType: 'Add',
      inputs: [input, skip],
      output: ADDED_LAST_BLOCK_OUTPUT,
    });
  }
  states.push(final.outputs[0]);
  return {
    style: 'fused-skip-norm',
    layers,
    hiddenStates: states,
    lastBlockOutput: ADDED_LAST_BLOCK_OUTPUT,
    extraNodes,
  };
}

export interface FindOptions {
  /** `num_hidden_layers` from config.json, when known: the graph must agree with it. */
  layers?: number;
}

export function findHiddenStates(graph: OnnxGraph, options: FindOptions = {}): HiddenStatePlan {
  const merged = graph.nodes.find((n) => n.hasSubgraph && n.opType === 'If');
  if (merged) {
    throw new LinScopeError(
      'UNSUPPORTED_GRAPH',
      'This is an old merged decoder export (decoder_model_merged.onnx): its layers are hidden inside an If node. ' +
        'Use the onnx/model.onnx (or model_quantized.onnx) export of the same model instead.',
    );
  }
  const layers = countLayers(graph, options.layers);
  const fused = graph.nodes.some((n) => FUSED_SKIP_NORMS.has(n.opType));
  const plan = fused ? findFusedSkipNormPlan(graph, layers) : findResidualAddPlan(graph, layers);
  if (new Set(plan.hiddenStates).size !== layers + 1)
    throw unsupported('two layers resolved to the same tensor.');
  return plan;
}
