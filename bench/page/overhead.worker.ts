/**
 * Hidden-state overhead in onnxruntime-web, in a worker as in the app: the plain graph and the
 * augmented one (LinScope's `augmentGraph`), made from the same bytes with the app's thread policy,
 * fed the same tokens with an empty past, timed alternately (A B B A ...).
 */
import * as ort from 'onnxruntime-web/webgpu';
import { augmentGraph } from '../../src/model/augmentGraph';
import { findHiddenStates } from '../../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../../src/model/onnxGraph';
import { configureWasmRuntime, describeWebGpuAdapter } from '../../src/model/webRuntime';
import type { OverheadMessage, OverheadRequest, OverheadSeries } from './protocol';

const post = (message: OverheadMessage) => postMessage(message);
const log = (message: string) => post({ type: 'log', message });

function feedsFor(request: OverheadRequest, T: number, names: readonly string[]): Record<string, ort.Tensor> {
  const { config } = request;
  let seed = 7;
  const ids = BigInt64Array.from({ length: T }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return BigInt(seed % config.vocab_size);
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [1, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
      [1, T],
    ),
  };
  const headDim = config.n_embd / config.n_head;
  for (const name of names)
    if (name.startsWith('past_key_values'))
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, config.n_head, 0, headDim]);
  return feeds;
}

async function run(request: OverheadRequest): Promise<void> {
  const threads = configureWasmRuntime(request.assetBase);
  const adapter = request.backend === 'webgpu' ? (await describeWebGpuAdapter()).description : null;
  const bytes = new Uint8Array(await (await fetch(request.modelUrl)).arrayBuffer());
  const graph = readOnnxGraph(bytes);
  const plan = findHiddenStates(graph, { layers: request.config.n_layer });
  const augmented = augmentGraph(bytes, plan, graph);
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [request.backend] };
  log(`creating the plain and the augmented session (${request.backend}, ${threads} threads)`);
  const plain = await ort.InferenceSession.create(bytes, options);
  const aug = await ort.InferenceSession.create(augmented, options);
  const series: OverheadSeries[] = [];
  for (const [k, T] of request.tokens.entries()) {
    const pairs = request.pairs[k] ?? 1;
    const feeds = feedsFor(request, T, plain.inputNames);
    const time = async (s: ort.InferenceSession) => {
      const t0 = performance.now();
      const out = await s.run(feeds);
      const ms = performance.now() - t0;
      for (const t of Object.values(out)) t.dispose();
      return ms;
    };
    await time(plain);
    await time(aug);
    const one: OverheadSeries = { tokens: T, plain: [], augmented: [] };
    for (let i = 0; i < pairs; i++) {
      let a: number;
      let b: number;
      if (i % 2 === 0) {
        a = await time(plain);
        b = await time(aug);
      } else {
        b = await time(aug);
        a = await time(plain);
      }
      one.plain.push(a);
      one.augmented.push(b);
      log(`T=${T} pair ${i + 1}/${pairs}: plain ${a.toFixed(0)} ms, augmented ${b.toFixed(0)} ms`);
    }
    series.push(one);
  }
  const extraOutputs = aug.outputNames.length - plain.outputNames.length;
  await plain.release();
  await aug.release();
  post({ type: 'done', series, threads, extraOutputs, adapter });
}

self.addEventListener('message', (event: MessageEvent<OverheadRequest>) => {
  run(event.data).catch((error: unknown) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
