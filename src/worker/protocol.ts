/**
 * The one message protocol between the page and the LinScope worker. Types only: the worker serves
 * it (`serve.ts`, wired to `self` in `entry.ts`), the page talks it (`client.ts`). An analysis
 * answers in steps: `plan` (its phases and their expected costs, for one overall progress bar),
 * `started` (tokens, windows, logit lens: what the text's forward pass found), one `pair` per layer
 * pair as it is scored on the text, `first-view` (every pair and state without the reference: the
 * page's first view while the reference is run and fitted), `reference-view` (all but the fit's
 * check on held-out reference text, while it runs, when the analysis fits the reference itself),
 * and `result` with the final records
 * and per-token values, its arrays transferred rather than copied. The page may load the model and
 * fit the reference ahead of any analysis (`load-ahead`, `prepare-reference`).
 */
import type { LayerPairRecord } from '../analysis';
import type { ErrorCode } from '../errors';
import type { ReferenceCorpus } from '../job/corpus';
import type { JobProgress, ProgressPlan } from '../job/progress';
import type {
  ReplacementSpec,
  ResultFirstView,
  ResultHead,
  ResultLinearize,
  ResultTail,
} from '../job/result';
import type { AnalysisSettings } from '../job/settings';
import type { BackendChoice, BackendInfo } from '../model/backend';
import type { DeviceLoss } from '../model/deviceLoss';
import type { ModelSpec } from '../model/hiddenStateModel';
import type { TokenCount } from '../model/tokenCount';

export type { BackendChoice, BackendInfo, DeviceLoss, TokenCount };

export interface WireError {
  name: string;
  message: string;
  code: ErrorCode;
  /** The worker cannot load models any more after this failure: the page replaces it. */
  restart?: boolean;
}

/** Which model, and whether fetching it from the Hugging Face Hub is allowed (the user said so). */
export interface ModelRequest {
  /** The worker sets the device from the backend it probed. */
  spec: Omit<ModelSpec, 'device'>;
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
  /** Reference tokens per hidden dimension (`?referenceTokensPerDim=N`); omitted, the default. */
  referenceTokensPerDim?: number;
}

/** The block-replacement experiment on a text (docs/linearize.md). */
export interface LinearizeRequest {
  model: ModelRequest;
  texts: string[];
  settings: AnalysisSettings;
  /** `bundled`: LinScope's reference corpus; needed when `maps` is `reference`. */
  reference: ReferenceCorpus | 'bundled' | null;
  /** Maps fitted on the reference corpus (out of sample) or on the text itself (in sample). */
  maps: 'reference' | 'self';
  /** Replacements to measure, each a set of blocks changed together. */
  runs: ReplacementSpec[];
  /** Every block alone (linearized, skipped) and the cumulative curve. */
  sweep: boolean;
  /** Greedy continuation tokens for the original and each run (0: none). */
  continuation: number;
  threads?: number;
}

export interface UserFile {
  /** Path inside the model folder, with `/` (e.g. `onnx/model.onnx`). */
  path: string;
  file: Blob;
}

/** A file the user chose, by name (its ending says what it is). */
export interface ImportFile {
  name: string;
  file: Blob;
}

/**
 * Files opened as a result (share/fileImport.ts): stats files merged and reduced, or one hidden-state
 * file (.safetensors or .npy) with an optional token list, analysed with `settings`. Answered like an
 * analysis (`started`, a `pair` per layer pair) and then `imported`.
 */
export interface ImportRequest {
  files: ImportFile[];
  settings: AnalysisSettings;
  threads?: number;
}

/**
 * A reference fit file (`linscope analyze --save-fit`) opened for the next analysis: the same model,
 * reference and settings an analysis would be sent (`share/fitImport.ts` checks the file against
 * them), answered with what the page says (`fit-imported`).
 */
export interface FitImportRequest {
  model: ModelRequest;
  settings: AnalysisSettings;
  reference: ReferenceCorpus | 'bundled';
  referenceTokensPerDim?: number;
  file: ImportFile;
}

/**
 * The reference fit the next analysis would use, made ahead while the user writes (`prepare-reference`):
 * what that analysis would be sent, less its texts.
 */
export interface ReferenceAheadRequest {
  model: ModelRequest;
  settings: AnalysisSettings;
  reference: ReferenceCorpus | 'bundled';
  referenceTokensPerDim?: number;
  threads?: number;
}

export type WorkerRequest =
  | { type: 'probe'; id: number; backend: BackendChoice; assetBase: string }
  | { type: 'analyze'; id: number; request: AnalyzeRequest }
  | { type: 'linearize'; id: number; request: LinearizeRequest }
  | { type: 'count-tokens'; id: number; model: ModelRequest; texts: string[] }
  /**
   * Load a model before anything is asked of it, from files the page already has (never the Hub),
   * and warm its session up; answered `model-loaded`. Skipped while a job runs.
   */
  | { type: 'load-ahead'; id: number; model: ModelRequest }
  /**
   * Fit the reference the next analysis would use, on the model loaded ahead, in the background
   * (an analysis meanwhile goes first, then waits for this fit); progress, then `reference-prepared`.
   * Skipped while a job runs, on a software GPU, and for the model's own text.
   */
  | { type: 'prepare-reference'; id: number; request: ReferenceAheadRequest }
  | { type: 'open-folder'; id: number; name: string; files: UserFile[] }
  | { type: 'open-llama2c'; id: number; name: string; checkpoint: Blob; tokenizer: Blob }
  | { type: 'generate'; id: number; model: ModelRequest; prompt: string; maxNewTokens: number }
  /** The hidden states of the last analysis, as a safetensors file (the CLI's --dump-hidden). */
  | { type: 'export-hidden'; id: number }
  | { type: 'import'; id: number; request: ImportRequest }
  | { type: 'import-fit'; id: number; request: FitImportRequest }
  | { type: 'cancel'; id: number };

export type WorkerEvent =
  | { type: 'backend'; id: number; info: BackendInfo }
  | { type: 'progress'; id: number; progress: JobProgress }
  /** An analysis's phases and their expected costs, once its model is loaded. */
  | { type: 'plan'; id: number; plan: ProgressPlan }
  | { type: 'started'; id: number; head: ResultHead }
  | { type: 'pair'; id: number; record: LayerPairRecord }
  /** Every pair and state scored on the text alone, before the reference is run (held-out: split). */
  | { type: 'first-view'; id: number; firstView: ResultFirstView }
  /**
   * The result but the reference fit's check on held-out reference text, while that check runs
   * (only for a fit made by this analysis).
   */
  | { type: 'reference-view'; id: number; tail: ResultTail }
  | { type: 'result'; id: number; tail: ResultTail }
  /** The experiment so far: runs and sweep entries appear as they complete. */
  | { type: 'linearize-partial'; id: number; partial: ResultLinearize }
  | { type: 'linearized'; id: number; result: ResultLinearize }
  | { type: 'token-count'; id: number; count: TokenCount }
  /** Whether `load-ahead` left the model loaded and warmed up. */
  | { type: 'model-loaded'; id: number; ready: boolean }
  /** Whether `prepare-reference` left the fit in the fit store (false: not made ahead, the analysis will). */
  | { type: 'reference-prepared'; id: number; ready: boolean }
  | { type: 'opened'; id: number; modelId: string }
  | { type: 'generated'; id: number; text: string; ids: number[] }
  | { type: 'hidden-states'; id: number; file: Uint8Array }
  /** The rest of an opened file's result, and what the page should say about it. */
  | { type: 'imported'; id: number; tail: ResultTail; notes: string[] }
  /** A fit file checked and stored for the next analysis, and what the page says about it. */
  | { type: 'fit-imported'; id: number; message: string }
  /**
   * A fit opened from a file was not used by request `id` (an analysis, an experiment, or a fit made
   * ahead): it was made for other weights than the model's, which could be compared only once the
   * model was loaded; the reference is fitted again. What the page says (`share/fitImport.ts`).
   */
  | { type: 'fit-set-aside'; id: number; note: string }
  | { type: 'error'; id: number; error: WireError }
  /**
   * The WebGPU device under the worker's sessions was lost (id 0: it answers no request; requests
   * count from 1): nothing more runs in this worker. The page replaces it with one on WASM and sends it what was in flight. A run that
   * fails because of the loss is answered with this event instead of its error.
   */
  | { type: 'device-lost'; id: 0; loss: DeviceLoss }
  /**
   * The worker's runtime can load no more models (id 0: it answers no request): a model failed to
   * load in a request that answered without an error (loading ahead, fitting ahead), and
   * transformers.js (web) fails every later load in this worker with that first error. The page
   * replaces the worker and sends the new one what was in flight. (A request that fails with such
   * an error carries `restart` in its error instead.) `reason`: that first error's message.
   */
  | { type: 'runtime-spent'; id: 0; reason: string };
