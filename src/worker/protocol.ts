/**
 * The one message protocol between the page and the LinScope worker.
 * Types only: the worker implements it (`entry.ts`), the page talks it (`client.ts`),
 * and the CLI calls the same job code (`analyzeJob.ts`) directly.
 */
import type { ErrorCode } from '../errors';
import type { ModelSpec } from '../model/hiddenStateModel';
import type { LinScopeResult } from '../share/result';
import type { AnalysisSettings, JobProgress, PartialResult, ReferenceCorpus } from './analyzeJob';

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

/** Which model, and whether fetching it from the Hugging Face Hub is allowed (the user said so). */
export interface ModelRequest {
  spec: ModelSpec;
  allowHub: boolean;
}

export interface AnalyzeRequest {
  model: ModelRequest;
  texts: string[];
  settings: AnalysisSettings;
  /** `bundled`: the worker reads LinScope's own reference corpus; null: no per-token values. */
  reference: ReferenceCorpus | 'bundled' | null;
  /**
   * Cores for scoring layer pairs (`?threads=N`): with N > 1 the pairs are always split over N
   * pair workers; omitted, big runs use every core (at most 8) and small ones the worker itself.
   */
  threads?: number;
}

export interface UserFile {
  /** Path inside the model folder, with `/` (e.g. `onnx/model.onnx`). */
  path: string;
  file: Blob;
}

export type WorkerRequest =
  | { type: 'probe'; id: number; backend: BackendChoice; assetBase: string }
  | { type: 'analyze'; id: number; request: AnalyzeRequest }
  | { type: 'count-tokens'; id: number; model: ModelRequest; texts: string[] }
  | { type: 'open-folder'; id: number; name: string; files: UserFile[] }
  | { type: 'open-llama2c'; id: number; name: string; checkpoint: Blob; tokenizer: Blob }
  | { type: 'generate'; id: number; model: ModelRequest; prompt: string; maxNewTokens: number }
  /** The hidden states of the last analysis, as a safetensors file (the CLI's --dump-hidden). */
  | { type: 'export-hidden'; id: number }
  | { type: 'cancel'; id: number };

export interface TokenCount {
  tokens: number;
  /** The model's context length, or null where its config does not say. */
  contextLength: number | null;
}

export type WorkerEvent =
  | { type: 'backend'; id: number; info: BackendInfo }
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'partial'; id: number; partial: PartialResult }
  | { type: 'result'; id: number; result: LinScopeResult }
  | { type: 'token-count'; id: number; count: TokenCount }
  | { type: 'opened'; id: number; modelId: string }
  | { type: 'generated'; id: number; text: string; ids: number[] }
  | { type: 'hidden-states'; id: number; file: Uint8Array }
  | { type: 'error'; id: number; error: WireError };
