/**
 * Does declaring the hidden states as outputs change what onnxruntime makes of the graph? Writes
 * both sessions' optimised graphs (onnxruntime-node, `extended` optimisations, as in the browser's
 * CPU/WASM path) and prints their node counts per op type. Not part of `npm run bench`.
 *
 *   node --import tsx bench/optimizedGraphs.node.ts   (writes ~1 GB to bench/out, then deletes it)
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { findHiddenStates } from '../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../src/model/onnx/reader';
import { augmentGraph } from '../src/model/onnx/surgery/augmentGraph';
import { BENCH_MODEL_FILE, OUT_DIR, requireBenchModel } from './lib';

requireBenchModel();
const bytes = new Uint8Array(readFileSync(BENCH_MODEL_FILE));
const graph = readOnnxGraph(bytes);
const augmented = augmentGraph(bytes, findHiddenStates(graph, { layers: 12 }), graph);
for (const [name, b] of [
  ['plain', bytes],
  ['augmented', augmented],
] as const) {
  const path = join(OUT_DIR, `optimized-${name}.onnx`);
  const session = await ort.InferenceSession.create(b, {
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: path,
  });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of readOnnxGraph(new Uint8Array(readFileSync(path))).nodes)
    counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  rmSync(path, { force: true });
  const total = Object.values(counts).reduce((a, c) => a + c, 0);
  console.log(`${name}: ${total} nodes ${JSON.stringify(counts)}`);
}
