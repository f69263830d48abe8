/**
 * Hidden-state overhead in onnxruntime-node: one forward pass of the augmented graph (every layer's
 * state declared as an output, as LinScope runs it) against the unmodified graph, both sessions made
 * from the same bytes with the same options and fed the same tokens with an empty past.
 *
 *   node --import tsx bench/overhead.node.ts [--tokens 128,1024] [--pairs 6] [--out FILE]
 *
 * The runs alternate A B B A ... so that drift on a shared machine (the other core busy, then idle)
 * falls on both sides alike; each pair gives one ratio, and the figure is the median ratio.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { readModelConfig } from '../src/model/config';
import { findHiddenStates } from '../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../src/model/onnx/reader';
import { augmentGraph } from '../src/model/onnx/surgery/augmentGraph';
import { cacheShape, emptyCacheFeeds } from '../src/model/windowFeeds';
import {
  BENCH_MODEL_DIR,
  BENCH_MODEL_FILE,
  type Figure,
  figure,
  log,
  requireBenchModel,
  writeFigures,
} from './lib';
import { benchTokenIds } from './tokenIds';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '128,1024' },
    pairs: { type: 'string', default: '6' },
    out: { type: 'string' },
    'graph-opt': { type: 'string' },
  },
});

interface ModelConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  vocab_size: number;
}

/** input_ids, attention_mask, position_ids and an empty past, as transformers.js feeds one window. */
export function feedsFor(
  config: ModelConfig,
  T: number,
  names: readonly string[],
): Record<string, ort.Tensor> {
  const feeds = emptyCacheFeeds(
    names,
    benchTokenIds(T, config.vocab_size),
    cacheShape(readModelConfig(config)),
    (type, data, dims) => new ort.Tensor(type, data, dims),
  );
  if (!feeds) throw new Error(`the benchmark model takes inputs beyond one window's: ${names.join(', ')}`);
  return feeds;
}

async function main(): Promise<void> {
  requireBenchModel();
  const config = JSON.parse(readFileSync(join(BENCH_MODEL_DIR, 'config.json'), 'utf8')) as ModelConfig;
  const bytes = new Uint8Array(readFileSync(BENCH_MODEL_FILE));
  const graph = readOnnxGraph(bytes);
  const plan = findHiddenStates(graph, { layers: config.n_layer });
  const augmented = augmentGraph(bytes, plan, graph);
  const options: ort.InferenceSession.SessionOptions = {};
  const level = values['graph-opt'];
  if (level) options.graphOptimizationLevel = level as 'disabled' | 'basic' | 'extended' | 'all';
  log(
    `node overhead: creating the plain and the augmented session (${(bytes.length / 2 ** 20).toFixed(0)} MB)`,
  );
  const plain = await ort.InferenceSession.create(bytes, options);
  const aug = await ort.InferenceSession.create(augmented, options);
  const extra = aug.outputNames.length - plain.outputNames.length;
  const pairs = Math.max(1, Number(values.pairs));
  const figures: Figure[] = [];
  for (const T of values.tokens.split(',').map(Number)) {
    const feeds = feedsFor(config, T, plain.inputNames);
    // Wall-clock ms; CPU seconds of the whole process (onnxruntime's threads included) go to `cpu`.
    const cpu = new Map<ort.InferenceSession, number[]>([
      [plain, []],
      [aug, []],
    ]);
    const time = async (s: ort.InferenceSession) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await s.run(feeds);
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu.get(s)?.push((c.user + c.system) / 1e6);
      for (const t of Object.values(out)) t.dispose();
      return ms;
    };
    // Warm-up: first runs allocate the arenas and pick kernels.
    await time(plain);
    await time(aug);
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      let pa: number;
      let pb: number;
      if (i % 2 === 0) {
        pa = await time(plain);
        pb = await time(aug);
      } else {
        pb = await time(aug);
        pa = await time(plain);
      }
      a.push(pa);
      b.push(pb);
      ratios.push(pb / pa);
      log(`  T=${T} pair ${i + 1}/${pairs}: plain ${pa.toFixed(0)} ms, augmented ${pb.toFixed(0)} ms`);
    }
    // Drop the warm-up passes' CPU times (the first entry of each).
    const cpuA = cpu.get(plain)?.slice(1) ?? [];
    const cpuB = cpu.get(aug)?.slice(1) ?? [];
    const note = `onnxruntime-node ${ort.env.versions.common ?? ''}, default threads, ${extra} extra outputs${level ? `, graph optimization ${level}` : ''}`;
    figures.push(
      figure(
        `overhead.node.T${T}`,
        `Overhead, Node onnxruntime, T=${T} (augmented / plain, wall)`,
        'ratio',
        ratios,
        {
          target: 1.1,
          note,
        },
      ),
      figure(
        `overhead.node.T${T}.cpu`,
        `Overhead, Node onnxruntime, T=${T} (augmented / plain, CPU time)`,
        'ratio',
        cpuB.map((x, i) => x / cpuA[i]),
        { target: 1.1 },
      ),
      figure(`forward.node.plain.T${T}`, `Forward, Node, plain graph, T=${T}`, 'ms', a),
      figure(`forward.node.augmented.T${T}`, `Forward, Node, augmented graph, T=${T}`, 'ms', b),
    );
  }
  await plain.release();
  await aug.release();
  writeFigures(figures);
}

await main();
