/**
 * The browser's door to onnxruntime. transformers.js imports `onnxruntime-web/webgpu`; importing
 * the same module here means one runtime is bundled and configured once, for both.
 *
 * LinScope serves onnxruntime's wasm files from its own origin (`<base>/ort/`), never a CDN.
 */
import * as ort from 'onnxruntime-web/webgpu';
import {
  AugmentingRuntime,
  installForTransformers,
  type LinScopeRuntime,
  type OrtModule,
} from './augmentingRuntime';
import { type AdapterIdentity, type BackendChoice, type BackendInfo, isSoftwareAdapter } from './backend';
import { type DeviceLoss, DeviceLossWatch, type LosableDevice } from './deviceLoss';
import { FetchFailures } from './fetchFailures';
import { type FileCache, ModelFileCache } from './modelFileCache';
import { PROBE_LENGTH, probeModelBytes } from './probeModel';

/** Threads to use when the page is cross-origin isolated; more rarely pays off for small models. */
const MAX_WASM_THREADS = 4;

export interface WebGpuAdapterSummary {
  available: boolean;
  description: string | null;
  /** The adapter runs on the CPU (SwiftShader, llvmpipe, a fallback adapter). */
  software: boolean;
  reason: string | null;
}

interface GpuAdapterLike {
  info?: AdapterIdentity;
  /** Where older Chromium releases put the flag (now on `info`). */
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

export async function describeWebGpuAdapter(): Promise<WebGpuAdapterSummary> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu)
    return {
      available: false,
      description: null,
      software: false,
      reason: 'This browser has no WebGPU (navigator.gpu).',
    };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter)
      return { available: false, description: null, software: false, reason: 'WebGPU found no adapter.' };
    const info: AdapterIdentity = {
      ...adapter.info,
      isFallbackAdapter: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter,
    };
    const parts = [info.vendor, info.architecture, info.description, info.device].filter(
      (p): p is string => typeof p === 'string' && p.length > 0,
    );
    return {
      available: true,
      // SwiftShader in headless Chromium names nothing but does flag itself as a fallback adapter.
      description:
        parts.join(' ') || (info.isFallbackAdapter ? 'software fallback adapter' : 'unknown adapter'),
      software: isSoftwareAdapter(info),
      reason: null,
    };
  } catch (error) {
    return {
      available: false,
      description: null,
      software: false,
      reason: `WebGPU adapter request failed: ${String(error)}`,
    };
  }
}

/** Point onnxruntime at LinScope's own copy of its runtime files and pick the thread count. */
export function configureWasmRuntime(assetBase: string): number {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  const threads = isolated ? Math.max(1, Math.min(MAX_WASM_THREADS, cores)) : 1;
  ort.env.wasm.wasmPaths = new URL('ort/', assetBase).href;
  ort.env.wasm.numThreads = threads;
  return threads;
}

/**
 * Settle which backend to use and prove it works by running a tiny in-memory model on it.
 * `auto` prefers WebGPU on a hardware adapter and falls back to WASM (also when the only adapter is
 * a software one: it is slower than WASM); an explicit `webgpu` uses any adapter, or fails loudly.
 */
export async function probeBackend(choice: BackendChoice, assetBase: string): Promise<BackendInfo> {
  const threads = configureWasmRuntime(assetBase);
  const gpu = choice === 'wasm' ? null : await describeWebGpuAdapter();
  const skipsSoftware = choice === 'auto' && gpu?.available === true && gpu.software;
  const useWebGpu = gpu?.available === true && !skipsSoftware;
  if (choice === 'webgpu' && !useWebGpu) {
    throw new Error(gpu?.reason ?? 'WebGPU is unavailable.');
  }
  const backend = useWebGpu ? 'webgpu' : 'wasm';
  const session = await ort.InferenceSession.create(probeModelBytes(), { executionProviders: [backend] });
  try {
    const input = Float32Array.from({ length: PROBE_LENGTH }, (_, i) => i + 0.5);
    const { y } = await session.run({ x: new ort.Tensor('float32', input, [PROBE_LENGTH]) });
    const out = (await y.getData()) as Float32Array;
    if (!out.every((v, i) => v === 2 * input[i]))
      throw new Error(`backend ${backend} computed wrong numbers`);
  } finally {
    await session.release();
  }
  return {
    backend,
    threads: backend === 'wasm' ? threads : 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    adapter: useWebGpu ? (gpu?.description ?? null) : null,
    softwareAdapter: useWebGpu && gpu?.software === true,
    webgpuUnavailableReason: skipsSoftware
      ? `The only WebGPU adapter (${gpu.description}) runs on the CPU, where WASM is faster. Choose WebGPU to use it anyway.`
      : gpu && !gpu.available
        ? gpu.reason
        : choice === 'wasm'
          ? 'WASM was chosen.'
          : null,
    skippedSoftwareAdapter: skipsSoftware ? gpu.description : null,
    ortVersion: ort.env.versions.web ?? ort.env.versions.common ?? 'unknown',
  };
}

let webRuntime: Promise<BrowserRuntime> | null = null;

const deviceLossListeners = new Set<(loss: DeviceLoss) => void>();
/** The WebGPU device onnxruntime runs LinScope's sessions on, watched for its loss. */
const deviceWatch = new DeviceLossWatch((loss) => {
  for (const listener of deviceLossListeners) listener(loss);
});

/** Calls `listener` when the WebGPU device under LinScope's sessions is lost (once per realm). */
export function onWebGpuDeviceLost(listener: (loss: DeviceLoss) => void): void {
  deviceLossListeners.add(listener);
}

/** The device loss behind a run's failure, or null (see `DeviceLossWatch.runFailed`). */
export function deviceLossOfFailure(error: unknown): DeviceLoss | null {
  return deviceWatch.runFailed(error instanceof Error ? error.message : String(error));
}

function usesWebGpu(options: ort.InferenceSession.SessionOptions | undefined): boolean {
  return (options?.executionProviders ?? []).some(
    (ep) => ep === 'webgpu' || (typeof ep === 'object' && ep.name === 'webgpu'),
  );
}

function isLosableDevice(value: unknown): value is LosableDevice {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { lost?: { then?: unknown } }).lost?.then === 'function'
  );
}

/**
 * onnxruntime with every WebGPU session counted on the device it runs on (`DeviceLossWatch`).
 * onnxruntime sets `env.webgpu.device` when it creates a session on its default device; it is read
 * only after a WebGPU session exists (before that, reading it would create a device).
 */
function watchedOrt(): OrtModule {
  // AugmentingRuntime hands onnxruntime model bytes, never a path.
  const create = async (
    bytes: Uint8Array,
    options?: ort.InferenceSession.SessionOptions,
  ): Promise<ort.InferenceSession> => {
    const session = await ort.InferenceSession.create(bytes, options);
    if (!usesWebGpu(options)) return session;
    const device: unknown = await ort.env.webgpu.device;
    if (!isLosableDevice(device)) return session;
    const untrack = deviceWatch.track(device);
    const release = session.release.bind(session);
    // Counted off before onnxruntime releases it: releasing the last session destroys the device.
    session.release = () => {
      untrack();
      return release();
    };
    return session;
  };
  const InferenceSession = Object.assign(Object.create(ort.InferenceSession), { create });
  return { ...ort, InferenceSession } as unknown as OrtModule;
}

export interface BrowserRuntime extends LinScopeRuntime {
  /** Models the user opened from disk live here; so do cached downloads. */
  files: ModelFileCache;
}

let created: AugmentingRuntime | null = null;

/**
 * Why this realm's runtime can no longer load models (`AugmentingRuntime.sessionFailure`: the first
 * session that failed to be created), or null while it can.
 */
export function runtimeSpentBy(): string | null {
  return created?.sessionFailure ?? null;
}

/** The browser's Cache API as a FileCache (null where the page may not use it). */
async function browserCache(name: string): Promise<FileCache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    const cache = await caches.open(name);
    return {
      match: async (key) => cache.match(key),
      put: (key, response) => cache.put(key, response),
      forget: async (part) => {
        for (const request of await cache.keys()) if (request.url.includes(part)) await cache.delete(request);
      },
    };
  } catch {
    return null;
  }
}

/**
 * The browser's LinScope runtime: onnxruntime-web wrapped so every session declares the hidden
 * states, installed for transformers.js before it is imported (hence the dynamic import).
 * Models resolve under `<base>/models/` (those LinScope ships) or in memory (opened by the user);
 * the Hub is off until a user allows a Hub model (the worker's handlers then turn it on, and each
 * load says for itself whether it may use it: hubAccess.ts).
 */
export function browserRuntime(assetBase: string): Promise<BrowserRuntime> {
  webRuntime ??= (async () => {
    configureWasmRuntime(assetBase);
    const runtime = new AugmentingRuntime(watchedOrt());
    created = runtime;
    installForTransformers(runtime);
    const transformers = await import('@huggingface/transformers');
    const { env } = transformers;
    const modelsBase = new URL('models/', assetBase).href;
    const files = new ModelFileCache(modelsBase, await browserCache('linscope-models-v1'));
    env.allowLocalModels = true;
    // A path, not a URL: transformers.js only looks for local files (and their metadata) at
    // non-URL paths; fetch resolves it against this origin.
    env.localModelPath = new URL(modelsBase).pathname;
    env.allowRemoteModels = false;
    env.useBrowserCache = false;
    // Model files are kept in LinScope's own cache (below); the HTTP cache adds nothing but a
    // failure mode: two concurrent requests for one large file (transformers.js reads a file's
    // metadata with a full GET while loading it) can end in ERR_CACHE_WRITE_FAILURE in Chromium.
    // A request that gets no answer at all is recorded: transformers.js reports it as a missing
    // file, and `loadFailure` tells the two apart by this record.
    const baseFetch = env.fetch;
    const fetchFailures = new FetchFailures();
    env.fetch = (async (input: string | URL, init?: RequestInit) => {
      const path = String(input);
      try {
        const response = await baseFetch(input, { ...init, cache: 'no-store' });
        fetchFailures.answered(path);
        return response;
      } catch (error) {
        fetchFailures.record(path, error);
        throw error;
      }
    }) as typeof env.fetch;
    env.useCustomCache = true;
    env.customCache = files as unknown as typeof env.customCache;
    return { runtime, transformers, files, fetchFailures, modelFileExists: (path) => files.holds(path) };
  })();
  return webRuntime;
}
