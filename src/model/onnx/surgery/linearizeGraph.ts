/**
 * The paper's replacement experiment as graph surgery: the residual stream leaving block l (hidden
 * state l+1) can be replaced by an affine map of the stream entering it,
 *
 *   state l+1 := meanY_l + (state l - meanX_l) W_l          (block l linearized)
 *   state l+1 := state l                                     (block l skipped)
 *
 * with everything downstream running unchanged on the replaced stream, so replacements compose
 * (block l+1 then reads the replaced state l+1). For the last block the target is the state after the
 * final norm (what the unembedding reads), as in the analysis core's last pair.
 *
 * The maps and the choice per block are graph inputs, so one session serves every choice of blocks
 * and maps. A block that keeps its own output is fed `useMap = skip = false` and a 1-column map
 * (W [d, 1], means [1]), which costs one d-wide product per token instead of d x d.
 *
 * Only `residual-add` graphs: in the fused style (onnxruntime-genai) the residual sum lives inside
 * fused norm nodes that take its two addends, so there is no single tensor to redirect.
 */
import { LinScopeError } from '../../../errors';
import type { HiddenStatePlan } from '../../hiddenStateFinder';
import type { OnnxGraph } from '../reader';
import type { OnnxNodeSpec, OnnxValueInfo } from '../types';
import { nodeSpecOf, rewriteGraph } from '../writer';

/** The graph inputs of block l's replacement. */
export interface BlockReplacementInputs {
  /** float32 [d_in, d_out]: W, or [d, 1] zeros when the block is not linearized. */
  readonly weights: string;
  /** float32 [d] (or [1]): subtracted from the incoming state. */
  readonly meanX: string;
  /** float32 [d] (or [1]): added to the mapped state. */
  readonly meanY: string;
  /** bool scalar: replace the block's output by the map. */
  readonly useMap: string;
  /** bool scalar: replace the block's output by its input (ignored when `useMap`). */
  readonly skip: string;
}

export interface LinearizeGraph {
  readonly bytes: Uint8Array;
  /** Per block 0..L-1. */
  readonly blocks: readonly BlockReplacementInputs[];
}

const NS = 'linscope/linearize';

function blockInputs(l: number): BlockReplacementInputs {
  return {
    weights: `${NS}/${l}/weights`,
    meanX: `${NS}/${l}/mean_x`,
    meanY: `${NS}/${l}/mean_y`,
    useMap: `${NS}/${l}/use_map`,
    skip: `${NS}/${l}/skip`,
  };
}

function declared(inputs: BlockReplacementInputs, l: number): OnnxValueInfo[] {
  return [
    { name: inputs.weights, type: 'float32', shape: [`linearize_${l}_in`, `linearize_${l}_out`] },
    { name: inputs.meanX, type: 'float32', shape: [`linearize_${l}_mean_x`] },
    { name: inputs.meanY, type: 'float32', shape: [`linearize_${l}_mean_y`] },
    { name: inputs.useMap, type: 'bool', shape: [] },
    { name: inputs.skip, type: 'bool', shape: [] },
  ];
}

/** The nodes that turn block l's output `original` and its (possibly replaced) input `x` into `out`. */
function replacementNodes(
  l: number,
  inputs: BlockReplacementInputs,
  x: string,
  original: string,
  out: string,
) {
  const p = `${NS}/${l}`;
  const nodes: OnnxNodeSpec[] = [
    { name: `${p}/Sub`, opType: 'Sub', inputs: [x, inputs.meanX], outputs: [`${p}/centred`] },
    {
      name: `${p}/MatMul`,
      opType: 'MatMul',
      inputs: [`${p}/centred`, inputs.weights],
      outputs: [`${p}/mapped`],
    },
    { name: `${p}/Add`, opType: 'Add', inputs: [`${p}/mapped`, inputs.meanY], outputs: [`${p}/linear`] },
    { name: `${p}/WhereSkip`, opType: 'Where', inputs: [inputs.skip, x, original], outputs: [`${p}/kept`] },
    {
      name: `${p}/WhereMap`,
      opType: 'Where',
      inputs: [inputs.useMap, `${p}/linear`, `${p}/kept`],
      outputs: [out],
    },
  ];
  return nodes;
}

/**
 * The model `bytes` (graph `graph`, hidden states `plan`) with every block's output replaceable.
 * The hidden-state outputs LinScope adds for analysis are not in it: this graph only answers
 * `logits` (and whatever the model declares).
 */
export function linearizeGraph(bytes: Uint8Array, graph: OnnxGraph, plan: HiddenStatePlan): LinearizeGraph {
  if (plan.style !== 'residual-add')
    throw new LinScopeError(
      'UNSUPPORTED_GRAPH',
      'Replacing blocks needs a graph whose residual stream is a plain Add between blocks; this export fuses it into its norms (onnxruntime-genai style).',
    );
  const L = plan.layers;
  const blocks = Array.from({ length: L }, (_, l) => blockInputs(l));
  // The stream after block l, as everything downstream now reads it.
  const replaced = Array.from({ length: L }, (_, l) => `${NS}/${l}/state`);
  const rename = new Map<string, string>();
  const after = new Map<string, OnnxNodeSpec[]>();
  for (let l = 0; l < L; l++) {
    const original = plan.hiddenStates[l + 1];
    const x = l === 0 ? plan.hiddenStates[0] : replaced[l - 1];
    rename.set(original, replaced[l]);
    after.set(original, replacementNodes(l, blocks[l], x, original, replaced[l]));
  }
  if (new Set(plan.hiddenStates).size !== L + 1)
    throw new LinScopeError('UNSUPPORTED_GRAPH', 'Two hidden states of this graph are the same tensor.');
  const producers = new Set(graph.nodes.flatMap((n) => n.outputs));
  for (const state of plan.hiddenStates.slice(1))
    if (!producers.has(state))
      throw new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `No node of this graph produces the hidden state ${state}.`,
      );
  const out = rewriteGraph(bytes, {
    node(node) {
      const spec = nodeSpecOf(node);
      const renamed = { ...spec, inputs: spec.inputs.map((i) => rename.get(i) ?? i) };
      const inserted = node.outputs.flatMap((o) => after.get(o) ?? []);
      return [renamed, ...inserted];
    },
    append: { nodes: [], inputs: blocks.flatMap((b, l) => declared(b, l)) },
  });
  return { bytes: out, blocks };
}
