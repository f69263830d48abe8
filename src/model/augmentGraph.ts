/**
 * Declare extra graph outputs (and add a few nodes) without re-encoding the model.
 *
 * Protobuf merges repeated fields across occurrences of the same message field, so appending a
 * second `ModelProto.graph` (field 7) that holds only new `node` and `output` entries to the
 * unchanged bytes extends the graph: the weights are never decoded or copied more than once.
 */
import type { HiddenStatePlan } from './hiddenStateFinder';
import type { LogitLensGraph } from './logitLensGraph';
import { ProtobufWriter } from './onnx/protobufWriter';
import type { OnnxGraph } from './onnx/reader';

const MODEL_GRAPH = 7;
const GRAPH = { node: 1, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4 } as const;
const VALUE_INFO_NAME = 1;

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
  const suffix = new ProtobufWriter()
    .message(MODEL_GRAPH, (g) => {
      for (const node of plan.extraNodes) {
        g.message(GRAPH.node, (n) => {
          for (const input of node.inputs) n.string(NODE.input, input);
          n.string(NODE.output, node.output).string(NODE.name, node.name).string(NODE.opType, node.opType);
        });
      }
      for (const node of lens?.nodes ?? []) g.bytesField(GRAPH.node, node);
      for (const name of outputs) g.message(GRAPH.output, (v) => v.string(VALUE_INFO_NAME, name));
    })
    .finish();
  const out = new Uint8Array(bytes.length + suffix.length);
  out.set(bytes, 0);
  out.set(suffix, bytes.length);
  return out;
}
