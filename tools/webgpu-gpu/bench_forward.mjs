#!/usr/bin/env node
/**
 * Times LinScope's own analysis forward against a plain forward of the unaugmented graph, on
 * onnxruntime-web's WebGPU backend (Dawn's Node bindings, npm `webgpu`) or its WASM backend, in Node.
 * The product code comes from linscope-forward.mjs (make_bundle.sh bundles it from src/model):
 * the session is made by AugmentingRuntime.createSession, the pass is runSessionForward, exactly
 * what HiddenStateModel.forward runs.
 *
 *   node bench_forward.mjs --bundle DIR --bin DIR --model DIR --ep webgpu|wasm [--threads N]
 *        [--tokens 128,1024] [--warmup 2] [--runs 5,3] [--variants a,b,...] [--dump DIR]
 *        [--compare DIR] [--out FILE]
 *
 * Variants (each one pass over the same T bench token ids, empty cache):
 *   plain          the unaugmented graph, every output downloaded (logits [T,V], KV cache)
 *   plainLogits    the unaugmented graph, only the logits fetched (KV cache left where it is)
 *   augmentedAll   LinScope's session, every output downloaded (the analysis before issue #17)
 *   product        runSessionForward(..., { logits: false }): only the L+1 states + pre-norm output
 *   productLogits  runSessionForward(..., { logits: true }): the same plus the logits (a loss)
 * --dump writes the product's states at each T (hs_<ep>_T<T>.bin); --compare reads another
 * backend's dump and reports the largest differences. DAWN_OPTS / WEBGPU_FEATURE_LEVEL as probe_adapter.mjs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    bundle: { type: 'string' },
    bin: { type: 'string' },
    model: { type: 'string' },
    ep: { type: 'string', default: 'webgpu' },
    threads: { type: 'string', default: '1' },
    tokens: { type: 'string', default: '128,1024' },
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '5' },
    variants: { type: 'string', default: 'plain,plainLogits,augmentedAll,product,productLogits' },
    dump: { type: 'string' },
    compare: { type: 'string' },
    out: { type: 'string' },
  },
});

const t00 = performance.now();
const log = (...m) => console.log(`[${args.ep} ${((performance.now() - t00) / 1000).toFixed(1)}s]`, ...m);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const summary = (xs) => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
  n: xs.length,
  all: xs.map((x) => Math.round(x * 100) / 100),
});

const ep = args.ep;
const threads = Number(args.threads);
const result = {
  started: new Date().toISOString(),
  ep,
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  threads,
  errors: [],
  T: {},
};
const outFile = args.out ? resolve(args.out) : null;
const save = () => {
  if (outFile) writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
};
const fail = (stage, error) => {
  const msg = `${stage}: ${error?.stack ?? String(error)}`;
  console.error(`ERROR ${msg}`);
  result.errors.push(msg);
  save();
};
const finish = () => {
  result.finished = new Date().toISOString();
  result.totalS = (performance.now() - t00) / 1000;
  save();
  log(`done in ${result.totalS.toFixed(1)} s, ${result.errors.length} errors`);
  if (globalThis.navigator) delete globalThis.navigator.gpu;
  // Node waits ~30 s at exit for onnxruntime-web's pthread workers: everything is written, so
  // end by SIGKILL (exit status 137; `errors` in the JSON says whether the run went well).
  if (threads > 1) process.kill(process.pid, 'SIGKILL');
  process.exit(result.errors.length ? 2 : 0);
};

const bin = resolve(args.bin);
const modelDir = resolve(args.model);
const dumpDir = args.dump ? resolve(args.dump) : null;
if (dumpDir) mkdirSync(dumpDir, { recursive: true });
const tokensList = args.tokens.split(',').map(Number);
const warmup = Number(args.warmup);
const runsFor = (k) => {
  const r = args.runs.split(',').map(Number);
  return r[Math.min(k, r.length - 1)];
};
const variants = args.variants.split(',');

const ls = await import(pathToFileURL(join(resolve(args.bundle), 'linscope-forward.mjs')).href);

// ------------------------------------------------------------------ Dawn, before onnxruntime-web
let adapter = null;
if (ep === 'webgpu') {
  try {
    const dawn = await import(pathToFileURL(join(bin, 'webgpu', 'index.js')).href);
    Object.assign(globalThis, dawn.globals);
    // onnxruntime-web's threaded WASM heap is a SharedArrayBuffer; dawn.node rejects
    // queue.writeBuffer from views of one (browsers accept them): copy such views first.
    const { GPUQueue } = dawn.globals;
    const writeBuffer = GPUQueue.prototype.writeBuffer;
    GPUQueue.prototype.writeBuffer = function (buffer, offset, data, dataOffset = 0, size) {
      const view = data instanceof SharedArrayBuffer ? new Uint8Array(data) : data;
      if (ArrayBuffer.isView(view) && view.buffer instanceof SharedArrayBuffer) {
        const elt = view.BYTES_PER_ELEMENT ?? 1;
        const n = (size ?? view.length - dataOffset) * elt;
        const copy = new Uint8Array(n);
        copy.set(new Uint8Array(view.buffer, view.byteOffset + dataOffset * elt, n));
        return writeBuffer.call(this, buffer, offset, copy, 0, n);
      }
      return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
    };
    const opts = (process.env.DAWN_OPTS ?? '').split(';').filter(Boolean);
    const gpu = dawn.create(opts);
    if (typeof globalThis.navigator === 'undefined') globalThis.navigator = { gpu };
    else Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
    const featureLevel = process.env.WEBGPU_FEATURE_LEVEL;
    adapter = await gpu.requestAdapter({
      powerPreference: 'high-performance',
      ...(featureLevel ? { featureLevel } : {}),
    });
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null');
    const info = adapter.info ?? {};
    result.adapter = {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
      dawnOptions: opts,
      featureLevel: featureLevel ?? 'core',
    };
    log('adapter:', JSON.stringify(result.adapter));
    save();
  } catch (error) {
    fail('webgpu adapter', error);
    finish();
  }
}

// onnxruntime-web fetches its .mjs glue and imports it from a blob: URL; Node can neither fetch
// file: URLs nor import blob: URLs: serve file: URLs from disk, hand back the file URL as the blob URL.
{
  const realFetch = globalThis.fetch;
  const fileOfBlob = new WeakMap();
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : (input?.href ?? input?.url);
    if (typeof url === 'string' && url.startsWith('file:')) {
      const buf = readFileSync(new URL(url));
      const blob = new Blob([buf]);
      fileOfBlob.set(blob, url);
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return {
        ok: true,
        status: 200,
        url,
        headers: new Headers({ 'Content-Length': String(buf.byteLength) }),
        blob: async () => blob,
        arrayBuffer: async () => ab,
      };
    }
    return realFetch(input, init);
  };
  const realCreate = URL.createObjectURL;
  URL.createObjectURL = (obj) => fileOfBlob.get(obj) ?? realCreate(obj);
  const realRevoke = URL.revokeObjectURL;
  URL.revokeObjectURL = (url) => (String(url).startsWith('file:') ? undefined : realRevoke(url));
}
const ort = await import(pathToFileURL(join(bin, 'ort', 'ort.webgpu.min.mjs')).href);
ort.env.wasm.wasmPaths = `${pathToFileURL(join(bin, 'ort')).href}/`;
ort.env.wasm.wasmBinary = readFileSync(join(bin, 'ort', 'ort-wasm-simd-threaded.asyncify.wasm'));
ort.env.wasm.numThreads = threads;
ort.env.logLevel = 'warning';
if (adapter) ort.env.webgpu.adapter = adapter;
result.ortVersion = ort.env.versions;

// ------------------------------------------------------------------ sessions: plain, and the product's
const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
const bytes = new Uint8Array(readFileSync(join(modelDir, 'onnx', 'model.onnx')));
const shape = ls.cacheShape({
  heads: config.n_head,
  kvHeads: config.n_head,
  headDim: config.n_embd / config.n_head,
});
const options = { executionProviders: [ep] };
let plainS;
let augS;
let plan;
try {
  let t0 = performance.now();
  plainS = await ort.InferenceSession.create(bytes, options);
  const plainMs = performance.now() - t0;
  const runtime = new ls.AugmentingRuntime(ort);
  const request = { expectedLayers: config.n_layer, logitLens: false, blockReplacement: false };
  t0 = performance.now();
  augS = await runtime.createSession(bytes, ls.withAugmentationRequest(options, request));
  const record = runtime.recordOf(augS);
  plan = record.plan;
  const fetchPlan = ls.planForwardFetches(augS.outputNames, plan, { logits: false });
  result.model = {
    bytes: bytes.length,
    layers: config.n_layer,
    d: config.n_embd,
    vocab: config.vocab_size,
    augmentMs: record.augmentMs,
    createMs: { plain: plainMs, augmented: performance.now() - t0 },
    outputs: { plain: plainS.outputNames.length, augmented: augS.outputNames.length },
    productFetches: fetchPlan.fetches.length,
    productLeftBehind: fetchPlan.leftBehind,
  };
  log(
    `sessions: plain ${plainMs.toFixed(0)} ms, augmented ${result.model.createMs.augmented.toFixed(0)} ms; ` +
      `outputs ${plainS.outputNames.length} / ${augS.outputNames.length}; product fetches ${fetchPlan.fetches.length}`,
  );
  save();
} catch (error) {
  fail('sessions', error);
  finish();
}

const disposeAll = (out) => {
  for (const v of Object.values(out)) v.dispose?.();
};
const idsFor = (T) => ls.benchTokenIds(T, config.vocab_size);
const feedsFor = (session, ids) =>
  ls.emptyCacheFeeds(session.inputNames, ids, shape, (type, data, dims) => new ort.Tensor(type, data, dims));

/** One pass of a variant; resolves once every fetched output is on the CPU, all tensors disposed. */
const passes = {
  plain: async (ids) => disposeAll(await plainS.run(feedsFor(plainS, ids))),
  plainLogits: async (ids) => disposeAll(await plainS.run(feedsFor(plainS, ids), ['logits'])),
  augmentedAll: async (ids) => disposeAll(await augS.run(feedsFor(augS, ids))),
  product: (ids) => ls.runSessionForward(ort, augS, plan, ids, shape, { logits: false }, config.vocab_size),
  productLogits: (ids) =>
    ls.runSessionForward(ort, augS, plan, ids, shape, { logits: true }, config.vocab_size),
};
for (const v of variants) if (!passes[v]) fail('variants', new Error(`unknown variant ${v}`));

async function timeT(T, W, R) {
  const ids = idsFor(T);
  const times = Object.fromEntries(variants.map((v) => [v, []]));
  const warm = [];
  for (let i = 0; i < W; i++)
    for (const v of variants) {
      const t0 = performance.now();
      await passes[v](ids);
      warm.push(`${v} ${(performance.now() - t0).toFixed(1)}`);
    }
  log(`T=${T} warm-up: ${warm.join(', ')} ms`);
  for (let i = 0; i < R; i++) {
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    const line = [];
    for (const v of order) {
      const t0 = performance.now();
      await passes[v](ids);
      const ms = performance.now() - t0;
      times[v].push(ms);
      line.push(`${v} ${ms.toFixed(1)}`);
    }
    log(`T=${T} round ${i + 1}/${R}: ${line.join(', ')} ms`);
  }
  const res = { ms: {}, overPlain: {}, overPlainLogits: {} };
  for (const v of variants) res.ms[v] = summary(times[v]);
  for (const [key, base] of [
    ['overPlain', 'plain'],
    ['overPlainLogits', 'plainLogits'],
  ]) {
    if (!times[base]) continue;
    for (const v of variants)
      if (v !== base) res[key][v] = median(times[v].map((x, i) => x / times[base][i]));
  }
  return res;
}

function maxDiffs(a, b) {
  let abs = 0;
  let ref = 0;
  let nonFinite = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) nonFinite++;
    abs = Math.max(abs, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  return { maxAbs: abs, maxAbsRef: ref, relative: ref > 0 ? abs / ref : 0, nonFinite };
}

/** The product's states against the same session's full download, a dump, and another backend's. */
async function check(T) {
  const ids = idsFor(T);
  const product = await passes.product(ids);
  const out = await augS.run(feedsFor(augS, ids));
  const all = new Float32Array(product.hiddenStates.length);
  for (const [l, name] of plan.hiddenStates.entries()) all.set(out[name].data, l * T * product.hidden);
  disposeAll(out);
  const res = {
    shape: [product.layers + 1, product.tokens, product.hidden],
    vocab: product.vocab,
    productVsFullDownload: maxDiffs(product.hiddenStates, all),
  };
  if (dumpDir) writeFileSync(join(dumpDir, `hs_${ep}_T${T}.bin`), product.hiddenStates);
  const other = args.compare ? join(resolve(args.compare), `hs_webgpu_T${T}.bin`) : null;
  if (other && existsSync(other)) {
    const buf = readFileSync(other);
    const theirs = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    if (theirs.length === product.hiddenStates.length) {
      // Per state: the largest difference and its size relative to the state's largest value.
      const n = product.tokens * product.hidden;
      res.webgpuVsThis = Array.from({ length: product.layers + 1 }, (_, l) =>
        maxDiffs(theirs.subarray(l * n, (l + 1) * n), product.hiddenStates.subarray(l * n, (l + 1) * n)),
      );
      res.webgpuVsThisWorst = {
        maxAbs: Math.max(...res.webgpuVsThis.map((c) => c.maxAbs)),
        relative: Math.max(...res.webgpuVsThis.map((c) => c.relative)),
      };
    }
  }
  return res;
}

for (const [k, T] of tokensList.entries()) {
  try {
    result.T[T] = await timeT(T, warmup, runsFor(k));
    const r = result.T[T];
    log(`T=${T} median ms: ${variants.map((v) => `${v} ${r.ms[v].median.toFixed(1)}`).join(', ')}`);
    log(
      `T=${T} / plain: ${Object.entries(r.overPlain)
        .map(([v, x]) => `${v} ${x.toFixed(3)}`)
        .join(', ')}`,
    );
    save();
    result.T[T].check = await check(T);
    log(`T=${T} check: ${JSON.stringify({ ...result.T[T].check, webgpuVsThis: undefined })}`);
    save();
  } catch (error) {
    fail(`T=${T}`, error);
  }
}
finish();
