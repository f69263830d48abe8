/** Which onnxruntime execution backend runs the model, as asked for and as found. */

/**
 * What the user asks for. `auto` prefers WebGPU on a hardware adapter and falls back to WASM,
 * also when the only adapter is a software one (SwiftShader and the like).
 */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/** What the runtime found out about the backend it actually runs on. */
export interface BackendInfo {
  backend: 'webgpu' | 'wasm';
  /** wasm threads onnxruntime uses (1 when the page is not cross-origin isolated). */
  threads: number;
  crossOriginIsolated: boolean;
  /** Adapter vendor/architecture/description where WebGPU is in use; `null` otherwise. */
  adapter: string | null;
  /** WebGPU runs on a software adapter (SwiftShader and the like: the CPU); false on WASM. */
  softwareAdapter: boolean;
  /** Why WebGPU is not in use, when it was asked for (or `auto`) and is unavailable or passed over. */
  webgpuUnavailableReason: string | null;
  /** The software adapter `auto` passed over for WASM; `null` when it passed over none. */
  skippedSoftwareAdapter: string | null;
  ortVersion: string;
}

/** What a WebGPU adapter says about itself (GPUAdapterInfo's fields, all optional). */
export interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  /** The spec's own flag for an adapter with "significant performance caveats". */
  isFallbackAdapter?: boolean;
}

/** Names CPU rasterisers give themselves: SwiftShader (Chromium), llvmpipe/lavapipe (Mesa), WARP (Windows). */
const SOFTWARE_RASTERISERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/**
 * Whether an adapter runs on the CPU. Such an adapter computes correctly but several times slower
 * than onnxruntime's own WASM kernels, so `auto` passes it over.
 */
export function isSoftwareAdapter(identity: AdapterIdentity): boolean {
  if (identity.isFallbackAdapter === true) return true;
  return [identity.vendor, identity.architecture, identity.description, identity.device].some(
    (field) => typeof field === 'string' && SOFTWARE_RASTERISERS.test(field),
  );
}
