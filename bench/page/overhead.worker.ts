/**
 * Hidden-state overhead in onnxruntime-web, in a worker as in the app: the plain graph and the
 * augmented one (LinScope's `augmentGraph`), made from the same bytes with the app's thread policy,
 * fed the same tokens with an empty past. The page asks for one timed pass at a time.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { readModelConfig } from '../../src/model/config';
import { findHiddenStates } from '../../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../../src/model/onnx/reader';
import { augmentGraph } from '../../src/model/onnx/surgery/augmentGraph';
import { configureWasmRuntime, describeWebGpuAdapter } from '../../src/model/webRuntime';
import { cacheShape, emptyCacheFeeds } from '../../src/model/windowFeeds';
import { benchTokenIds } from '../tokenIds';
import type { Graph, OverheadCommand, OverheadMessage, OverheadRequest } from './protocol';

const post = (message: OverheadMessage) => postMessage(message);

let request: OverheadRequest | null = null;
const sessions = new Map<Graph, ort.InferenceSession>();
const feeds = new Map<number, Record<string, ort.Tensor>>();

function feedsFor(T: number, names: readonly string[]): Record<string, ort.Tensor> {
  const cached = feeds.get(T);
  if (cached) return cached;
  const config = (request as OverheadRequest).config;
  const own = emptyCacheFeeds(
    names,
    benchTokenIds(T, config.vocab_size),
    cacheShape(readModelConfig(config)),
    (type, data, dims) => new ort.Tensor(type, data, dims),
  );
  if (!own) throw new Error(`the benchmark model takes inputs beyond one window's: ${names.join(', ')}`);
  feeds.set(T, own);
  return own;
}

async function init(r: OverheadRequest): Promise<OverheadMessage> {
  request = r;
  const threads = configureWasmRuntime(r.assetBase);
  const adapter = r.backend === 'webgpu' ? (await describeWebGpuAdapter()).description : null;
  const bytes = new Uint8Array(await (await fetch(r.modelUrl)).arrayBuffer());
  const graph = readOnnxGraph(bytes);
  const plan = findHiddenStates(graph, { layers: r.config.n_layer });
  const augmented = augmentGraph(bytes, plan, graph);
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [r.backend] };
  post({
    type: 'log',
    message: `creating the plain and the augmented session (${r.backend}, ${threads} threads)`,
  });
  const plain = await ort.InferenceSession.create(bytes, options);
  const aug = await ort.InferenceSession.create(augmented, options);
  sessions.set('plain', plain).set('augmented', aug);
  return { type: 'ready', threads, extraOutputs: aug.outputNames.length - plain.outputNames.length, adapter };
}

async function run(graph: Graph, T: number): Promise<OverheadMessage> {
  const session = sessions.get(graph);
  if (!session) throw new Error('benchInit first');
  const input = feedsFor(T, session.inputNames);
  const t0 = performance.now();
  const out = await session.run(input);
  const ms = performance.now() - t0;
  for (const t of Object.values(out)) t.dispose();
  return { type: 'ran', ms };
}

self.addEventListener('message', (event: MessageEvent<OverheadCommand>) => {
  const command = event.data;
  const work = command.type === 'init' ? init(command.request) : run(command.graph, command.tokens);
  work.then(post, (error: unknown) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
