/**
 * The model's head (the lm_head, one `vocab x d` product per token) computes logits for every
 * token of every forward pass, while the analysis reads none: 10-15% of a GPT-2-small pass in
 * WebAssembly (docs/performance.md). onnxruntime runs every node whatever outputs are fetched, so
 * leaving `logits` out of the fetches does not save it.
 *
 * This surgery gives the graph the input that newer exports already have and transformers.js
 * already feeds: `num_logits_to_keep`, an int64 scalar, the number of trailing tokens whose logits
 * are computed, 0 meaning all (transformers.js feeds 0 for a plain forward pass and 1 while it
 * generates). The head's activation input goes through `Slice(x, -k, end, axis 1)` first: with
 * k = 0 the slice is the whole tensor and the logits are bit for bit those of the unchanged graph;
 * LinScope's analysis passes feed 1.
 *
 * Only where the head is the node that writes `logits` and is a MatMul (or onnxruntime's
 * MatMulNBits): a MatMul by a 2-D weight keeps its input's rank, and transformers.js reads logits
 * as [batch, tokens, vocab], so the input is [batch, tokens, d] and axis 1 is the token axis. Any
 * other head (quantised chains, casts after the product) is left as it is.
 */
import type { OnnxGraph, OnnxNode } from '../reader';
import type { OnnxNodeSpec } from '../types';
import { nodeSpecOf, rewriteGraph } from '../writer';

export const LOGITS_TO_KEEP = 'num_logits_to_keep';

const HEAD_OPS = new Set(['|MatMul', 'ai.onnx|MatMul', 'com.microsoft|MatMulNBits']);

/** The node that computes `logits` where its tokens can be trimmed before it; null elsewhere. */
export function trimmableHead(graph: OnnxGraph): OnnxNode | null {
  if (!graph.outputs.includes('logits') || graph.inputs.includes(LOGITS_TO_KEEP)) return null;
  const head = graph.nodes.find((n) => n.outputs.includes('logits'));
  if (!head || !HEAD_OPS.has(`${head.domain}|${head.opType}`)) return null;
  const input = head.inputs[0];
  if (!input || graph.initializers.has(input) || graph.inputs.includes(input)) return null;
  return head;
}

const int64Constant = (output: string, dims: number[], values: bigint[]): OnnxNodeSpec => ({
  name: `${output}/Constant`,
  opType: 'Constant',
  inputs: [],
  outputs: [output],
  attributes: [
    { name: 'value', kind: 'tensor', value: { type: 'int64', dims, data: BigInt64Array.from(values) } },
  ],
});

/**
 * `model` with the `num_logits_to_keep` input in front of `head` (`trimmableHead`): the head reads
 * the sliced tensor (a copy, `rewriteGraph`; the weights are never decoded).
 */
export function withLogitsToKeep(model: Uint8Array, head: OnnxNode): Uint8Array {
  const ns = 'linscope/logits_to_keep';
  const x = head.inputs[0];
  const sliced = `${ns}/tokens`;
  const before: OnnxNodeSpec[] = [
    int64Constant(`${ns}/one`, [1], [1n]),
    int64Constant(`${ns}/end`, [1], [0x7fffffffffffffffn]),
    { name: `${ns}/Neg`, opType: 'Neg', inputs: [LOGITS_TO_KEEP], outputs: [`${ns}/neg`] },
    {
      name: `${ns}/Reshape`,
      opType: 'Reshape',
      inputs: [`${ns}/neg`, `${ns}/one`],
      outputs: [`${ns}/start`],
    },
    {
      name: `${ns}/Slice`,
      opType: 'Slice',
      inputs: [x, `${ns}/start`, `${ns}/end`, `${ns}/one`],
      outputs: [sliced],
    },
  ];
  const node = (n: OnnxNode): OnnxNodeSpec[] => {
    if (!n.outputs.includes('logits')) return [nodeSpecOf(n)];
    const spec = nodeSpecOf(n);
    return [...before, { ...spec, inputs: [sliced, ...spec.inputs.slice(1)] }];
  };
  const input = { nodes: [], inputs: [{ name: LOGITS_TO_KEEP, type: 'int64' as const, shape: [] }] };
  return rewriteGraph(model, { node, append: input });
}
