/**
 * Time and memory of graph augmentation on the GPT-2-small-shaped model (issue 4): parse the graph
 * (weights skipped), find the states, append the outputs (one copy of the bytes).
 * Run: node --import tsx bench/augment.node.ts [bench/models/gpt2-small-random/onnx/model.onnx]
 */
import { readFileSync } from 'node:fs';
import { findHiddenStates } from '../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../src/model/onnx/reader';
import { augmentGraph } from '../src/model/onnx/surgery/augmentGraph';

const path = process.argv[2] ?? 'bench/models/gpt2-small-random/onnx/model.onnx';
const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
const bytes = new Uint8Array(readFileSync(path));
const before = process.memoryUsage();
const times: number[] = [];
let outputs = 0;
let size = 0;
for (let run = 0; run < 5; run++) {
  const t0 = performance.now();
  const graph = readOnnxGraph(bytes);
  const t1 = performance.now();
  const plan = findHiddenStates(graph, { layers: 12 });
  const t2 = performance.now();
  const augmented = augmentGraph(bytes, plan, graph);
  const t3 = performance.now();
  times.push(t3 - t0);
  outputs = plan.hiddenStates.length + 1;
  size = augmented.length;
  if (run === 0)
    console.log(
      `parse ${(t1 - t0).toFixed(1)} ms, find ${(t2 - t1).toFixed(1)} ms, append ${(t3 - t2).toFixed(1)} ms`,
    );
}
const after = process.memoryUsage();
times.sort((a, b) => a - b);
console.log(`model ${mb(bytes.length)}, ${outputs} outputs added (+${size - bytes.length} bytes)`);
console.log(
  `augment total: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)}) over 5 runs`,
);
console.log(
  `memory: model bytes ${mb(bytes.length)}; array buffers before ${mb(before.arrayBuffers)}, after ${mb(after.arrayBuffers)} (one augmented copy alive at a time)`,
);
