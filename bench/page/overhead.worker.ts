/**
 * Hidden-state overhead in onnxruntime-web, in a worker as in the app: the plain graph and the
 * augmented one (LinScope's `augmentGraph`), made from the same bytes with the app's thread policy,
 * fed the same tokens with an empty past. The page asks for one timed pass at a time.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { augmentGraph } from '../../src/model/augmentGraph';
import { findHiddenStates } from '../../src/model/hiddenStateFinder';
import { readOnnxGraph } from '../../src/model/onnxGraph';
import { configureWasmRuntime, describeWebGpuAdapter } from '../../src/model/webRuntime';
import type { Graph, OverheadCommand, OverheadMessage, OverheadRequest } from './protocol';

const post = (message: OverheadMessage) => postMessage(message);

let request: OverheadRequest | null = null;
const sessions = new Map<Graph, ort.InferenceSession>();
const feeds = new Map<number, Record<string, ort.Tensor>>();

function feedsFor(T: number, names: readonly string[]): Record<string, ort.Tensor> {
  const cached = feeds.get(T);
  if (cached) return cached;
  const config = (request as OverheadRequest).config;
  let seed = 7;
  const ids = BigInt64Array.from({ length: T }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return BigInt(seed % config.vocab_size);
  });
  const made: Record<string, ort.Tensor> = {
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
      made[name] = new ort.Tensor('float32', new Float32Array(0), [1, config.n_head, 0, headDim]);
  // Only the graph's own inputs (an export without position_ids must not be fed one).
  const own = Object.fromEntries(Object.entries(made).filter(([name]) => names.includes(name)));
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
