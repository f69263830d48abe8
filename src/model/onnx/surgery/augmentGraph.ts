/**
 * Declare every hidden state as a graph output (and add the few nodes a plan or the logit lens
 * needs) without re-encoding the model: the additions are appended as a second graph field
 * (`appendToGraph`), so the weights are never decoded and copied only once.
 */
import type { HiddenStatePlan } from '../../hiddenStateFinder';
import type { OnnxGraph } from '../reader';
import type { OnnxNodeSpec } from '../types';
import { appendToGraph } from '../writer';
import type { LogitLensGraph } from './logitLensGraph';

/** The tensors a plan needs declared as outputs, in a stable order, without ones already declared. */
export function outputsToDeclare(plan: HiddenStatePlan, graph: OnnxGraph): string[] {
  const wanted = [...plan.hiddenStates, plan.lastBlockOutput];
  return [...new Set(wanted)].filter((name) => !graph.outputs.includes(name));
}

export function augmentGraph(
  bytes: Uint8Array,
  plan: HiddenStatePlan,
  graph: OnnxGraph,
  lens: LogitLensGraph | null = null,
): Uint8Array {
  const outputs = outputsToDeclare(plan, graph);
  if (lens) outputs.push(...lens.outputs.topLogprob, ...lens.outputs.topId, ...lens.outputs.nextLogprob);
  const planNodes = plan.extraNodes.map(
    (n): OnnxNodeSpec => ({ name: n.name, opType: n.opType, inputs: n.inputs, outputs: [n.output] }),
  );
  return appendToGraph(bytes, {
    nodes: [...planNodes, ...(lens?.nodes ?? [])],
    // By name only: onnxruntime takes the type and shape from the graph.
    outputs: outputs.map((name) => ({ name })),
  });
}
