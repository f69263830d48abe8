import type { ErrorCode } from '../errors';

/**
 * The one message protocol between the page and the LinScope worker.
 * Types only: the worker implements it (`entry.ts`), the page talks it (`client.ts`),
 * and the CLI calls the same handlers directly.
 */

/** Which execution backend onnxruntime should use. `auto` prefers WebGPU, falls back to WASM. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/** What the worker found out about the runtime it actually runs on. */
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

export interface WireError {
  name: string;
  message: string;
  code: ErrorCode;
}

export type WorkerRequest =
  | { type: 'probe'; id: number; backend: BackendChoice; assetBase: string }
  | { type: 'cancel'; id: number };

export type WorkerEvent =
  | { type: 'backend'; id: number; info: BackendInfo }
  | { type: 'error'; id: number; error: WireError };
