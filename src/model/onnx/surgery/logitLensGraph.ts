/**
 * The logit lens, computed inside the model's own graph: the final norm and the unembedding applied
 * to every layer's residual state, exactly as the model applies them to the last one.
 *
 * The nodes between the last block's output and `logits` (the final norm, the lm_head MatMul, any
 * quantisation or casts on the way) are copied once per state with renamed tensors; weights are
 * shared by name, so nothing large is duplicated. Only small tensors leave the graph: for each state
 * the top token and its log-probability (LogSoftmax -> TopK(1)) and the log-probability of the true
 * next token (GatherElements with the input ids shifted by one). It costs one lm_head per layer, so
 * LinScope builds it only for models where that is cheap (`lensIsAffordable`), and runs it as a
 * second session: with the copies in the model's own graph, onnxruntime's extended optimisations
 * treat the model's head differently and its logits move by ~1e-5 (measured on stories260K), which
 * would break the rule that adding outputs leaves the model's results unchanged.
 */
import type { HiddenStatePlan } from '../../hiddenStateFinder';
import type { OnnxGraph, OnnxNode } from '../reader';
import type { OnnxAttribute, OnnxNodeSpec, OnnxTensor } from '../types';

export interface LogitLensOutputs {
  /** Per state 0..L: [1, T, 1] float32 log-probability of the top token. */
  topLogprob: string[];
  /** Per state 0..L: [1, T, 1] int64 id of the top token. */
  topId: string[];
  /** Per state 0..L: [1, T, 1] float32 log-probability of token t+1 at position t (the last is meaningless). */
  nextLogprob: string[];
}

export interface LogitLensGraph {
  /** The nodes to append to the graph. */
  nodes: OnnxNodeSpec[];
  outputs: LogitLensOutputs;
}

/** Multiply-adds of the lens's extra lm_heads per token above which it is not built. */
export const LENS_BUDGET = 64e6;

export function lensIsAffordable(layers: number, hidden: number, vocab: number): boolean {
  return layers * hidden * vocab <= LENS_BUDGET;
}

/** Chains longer than this are not a final norm and an unembedding: no lens. */
const MAX_CHAIN_NODES = 64;

/** A node of the lens, in the default (ai.onnx) domain. */
function node(
  name: string,
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: OnnxAttribute[] = [],
): OnnxNodeSpec {
  return { name, opType, inputs, outputs, attributes };
}

const axis = (value: number): OnnxAttribute => ({ name: 'axis', kind: 'int', value });

function int64Constant(output: string, dims: number[], values: bigint[]): OnnxNodeSpec {
  const value: OnnxTensor = { type: 'int64', dims, data: BigInt64Array.from(values) };
  return node(`${output}/Constant`, 'Constant', [], [output], [{ name: 'value', kind: 'tensor', value }]);
}

/** The nodes on every path from `from` to `to`, in graph order. */
function chainBetween(graph: OnnxGraph, from: string, to: string): OnnxNode[] {
  const consumers = new Map<string, OnnxNode[]>();
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
    for (const o of n.outputs) producer.set(o, n);
  }
  const below = new Set<OnnxNode>();
  const stack = [from];
  while (stack.length > 0) {
    for (const n of consumers.get(stack.pop()!) ?? []) {
      if (below.has(n)) continue;
      below.add(n);
      stack.push(...n.outputs.filter(Boolean));
    }
  }
  const above = new Set<OnnxNode>();
  const back = [to];
  while (back.length > 0) {
    const n = producer.get(back.pop()!);
    if (!n || above.has(n)) continue;
    above.add(n);
    back.push(...n.inputs.filter(Boolean));
  }
  return graph.nodes.filter((n) => below.has(n) && above.has(n));
}

/**
 * The lens for a residual-add plan, or null when the graph's head is not a plain chain from the
 * last block's output to `logits` (then LinScope simply shows no lens).
 */
export function buildLogitLens(graph: OnnxGraph, plan: HiddenStatePlan): LogitLensGraph | null {
  if (
    plan.style !== 'residual-add' ||
    !graph.outputs.includes('logits') ||
    !graph.inputs.includes('input_ids')
  )
    return null;
  const chain = chainBetween(graph, plan.lastBlockOutput, 'logits');
  if (chain.length === 0 || chain.length > MAX_CHAIN_NODES || chain.some((n) => n.hasSubgraph)) return null;
  const produced = new Set(chain.flatMap((n) => n.outputs));
  const nodes: OnnxNodeSpec[] = [];
  const ns = 'linscope/lens';
  // Token t's true next token is input t+1 (padded with 0 at the end), as [1, T, 1].
  nodes.push(
    int64Constant(`${ns}/k`, [1], [1n]),
    int64Constant(`${ns}/one`, [1], [1n]),
    int64Constant(`${ns}/end`, [1], [0x7fffffffffffffffn]),
    int64Constant(`${ns}/pad`, [1, 1], [0n]),
    int64Constant(`${ns}/shape`, [3], [1n, -1n, 1n]),
    node(`${ns}/Slice`, 'Slice', ['input_ids', `${ns}/one`, `${ns}/end`, `${ns}/one`], [`${ns}/next_slice`]),
    node(`${ns}/Concat`, 'Concat', [`${ns}/next_slice`, `${ns}/pad`], [`${ns}/next_flat`], [axis(1)]),
    node(`${ns}/Reshape`, 'Reshape', [`${ns}/next_flat`, `${ns}/shape`], [`${ns}/next_ids`]),
  );
  const outputs: LogitLensOutputs = { topLogprob: [], topId: [], nextLogprob: [] };
  plan.hiddenStates.forEach((state, s) => {
    const last = s === plan.hiddenStates.length - 1;
    let logits = 'logits';
    if (!last) {
      const rename = (t: string) =>
        t === plan.lastBlockOutput ? state : produced.has(t) ? `${t}::lens${s}` : t;
      for (const n of chain) {
        // Attributes copied as stored: whatever they hold (quantisation settings, tensors).
        nodes.push({
          name: `${n.name}::lens${s}`,
          opType: n.opType,
          domain: n.domain,
          inputs: n.inputs.map(rename),
          outputs: n.outputs.map(rename),
          attributes: n.attributes.map((bytes) => ({ kind: 'encoded', bytes })),
        });
      }
      logits = rename('logits');
    }
    const p = `${ns}${s}`;
    nodes.push(
      node(`${p}/LogSoftmax`, 'LogSoftmax', [logits], [`${p}/logprobs`], [axis(-1)]),
      node(
        `${p}/TopK`,
        'TopK',
        [`${p}/logprobs`, `${ns}/k`],
        [`${p}/top_logprob`, `${p}/top_id`],
        [axis(-1)],
      ),
      node(
        `${p}/GatherElements`,
        'GatherElements',
        [`${p}/logprobs`, `${ns}/next_ids`],
        [`${p}/next_logprob`],
        [axis(-1)],
      ),
    );
    outputs.topLogprob.push(`${p}/top_logprob`);
    outputs.topId.push(`${p}/top_id`);
    outputs.nextLogprob.push(`${p}/next_logprob`);
  });
  return { nodes, outputs };
}
