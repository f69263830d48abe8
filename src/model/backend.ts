/** Which onnxruntime execution backend runs the model, as asked for and as found. */

/** What the user asks for. `auto` prefers WebGPU and falls back to WASM. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/** What the runtime found out about the backend it actually runs on. */
export interface BackendInfo {
  backend: 'webgpu' | 'wasm';
  /** wasm threads onnxruntime uses (1 when the page is not cross-origin isolated). */
  threads: number;
  crossOriginIsolated: boolean;
  /** Adapter vendor/architecture/description where WebGPU is in use; `null` otherwise. */
  adapter: string | null;
  /** Why WebGPU is not in use, when it was asked for (or `auto`) and is unavailable. */
  webgpuUnavailableReason: string | null;
  ortVersion: string;
}
