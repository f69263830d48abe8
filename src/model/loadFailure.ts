/**
 * What went wrong when a model would not load, as a coded `LinScopeError` the page shows and the CLI
 * turns into exit 2. transformers.js reports a missing file (a local folder without it, a Hub
 * repository that does not exist or is gated) as `ModelFileNotFoundError`, and a network failure as
 * fetch's `TypeError`; Node reports a missing path as an error with code `ENOENT`.
 */
import { LinScopeError } from '../errors';
import { DTYPE_FILES, type ModelDtype } from './config';
import type { FetchFailures } from './fetchFailures';

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
}

function errorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
}

/**
 * transformers.js reads `tokenizer_class` from the tokenizer's config without checking that the
 * file came: when tokenizer_config.json / tokenizer.json cannot be fetched (blocked, offline, a
 * folder without them) the tokenizer fails with "Cannot read properties of undefined (reading
 * 'tokenizer_class')" instead of a missing-file error.
 */
function isUnloadedTokenizer(error: ErrorLike, what: 'config' | 'tokenizer' | 'weights'): boolean {
  return (
    what === 'tokenizer' &&
    error.name === 'TypeError' &&
    /of (undefined|null)\b.*tokenizer_class/.test(String(error.message ?? ''))
  );
}

/** Which weights file of which model is damaged, and how: what a front end words its advice around. */
export interface DamagedWeights {
  readonly id: string;
  /** The file, relative to the model's folder (`onnx/model.onnx`), or `ONNX file` where the dtype is unknown. */
  readonly file: string;
  /** What is wrong with it (`334 bytes that do not read as an ONNX model: ...`). */
  readonly detail: string;
  /** The model came from the Hub (downloaded), not from a folder or this site. */
  readonly fromHub: boolean;
}

/**
 * A model file that is there but is not a whole ONNX model (cut short by a failed download or copy,
 * or damaged): an input error, and the worker forgets any cached copy so a retry downloads it again.
 * Once `loadFailure` knows the model, `weights` says which file; the message is then the page's
 * (`damagedWeightsText` plus what to do in the page), and the command line words its own advice.
 */
export class DamagedModelFile extends LinScopeError {
  constructor(
    message: string,
    readonly weights: DamagedWeights | null = null,
  ) {
    super('BAD_INPUT', message);
  }
}

/** What is damaged, in one sentence; what to do follows it, in the words of where it is shown. */
export function damagedWeightsText(weights: DamagedWeights): string {
  return `Model "${weights.id}": its weights (${weights.file}) are damaged or incomplete (${weights.detail}).`;
}

/**
 * Whether the model file at `path` (as transformers.js names it in a missing-file error: a path on
 * disk, or under the page's models) is there; undefined where that cannot be told without asking a
 * server (a Hub model, a model served by this site).
 */
export type ModelFileProbe = (path: string) => boolean | undefined;

/** What older exports (transformers.js v2, Optimum's merged decoder) name their one graph. */
const MERGED_DECODER = 'decoder_model_merged.onnx';

/** Whether the failure is a missing file or repository (not a broken one). */
function isMissingFile(error: ErrorLike): boolean {
  return error.name === 'ModelFileNotFoundError' || error.code === 'ENOENT';
}

/** fetch rejects with a TypeError when no response came at all (offline, DNS, refused, CORS). */
function isNetworkFailure(error: ErrorLike): boolean {
  return error.name === 'TypeError' && /fetch/i.test(String(error.message ?? ''));
}

/**
 * The aside on older exports for a missing weights variant: said outright where the model's onnx
 * folder has a merged decoder, left out where it is known to have none, and said as what older
 * exports do where the folder cannot be looked at.
 */
function mergedDecoderAside(message: string, fileExists: ModelFileProbe | undefined): string {
  const missing = /"([^"]*onnx[/\\][^"/\\]+\.onnx)"/.exec(message)?.[1];
  const merged =
    missing === undefined ? undefined : fileExists?.(missing.replace(/[^/\\]+$/, MERGED_DECODER));
  const advice = 'use a transformers.js v3+ export of the model (onnx/model.onnx and its variants).';
  if (merged === false) return '';
  if (merged === true)
    return ` Its onnx/${MERGED_DECODER} is an older export that keeps its layers inside an If node, which LinScope cannot read: ${advice}`;
  return ` Older exports keep their layers inside onnx/${MERGED_DECODER} (an If node), which LinScope cannot read: ${advice}`;
}

/**
 * `error` from loading part `what` (config, tokenizer, weights) of model `id`, as a coded error.
 * Errors already coded pass through.
 */
export function loadFailure(
  error: unknown,
  id: string,
  what: 'config' | 'tokenizer' | 'weights',
  dtype?: ModelDtype,
  /** False when the Hub was not asked (a model served beside the app): a network failure is then not the Hub's. */
  fromHub = true,
  /** Model file requests that failed before any answer: a "missing" file among them was not reached. */
  fetchFailures?: FetchFailures,
  /** Whether a file of the model's folder is there, where that can be told (the merged-decoder aside). */
  fileExists?: ModelFileProbe,
): unknown {
  if (error instanceof DamagedModelFile && what === 'weights') {
    const weights: DamagedWeights = {
      id,
      file: dtype !== undefined ? `onnx/${DTYPE_FILES[dtype]}` : 'ONNX file',
      detail: error.message,
      fromHub,
    };
    return new DamagedModelFile(
      `${damagedWeightsText(weights)} ` +
        'If they were downloaded, press Analyze to download them again (the damaged copy is not kept); ' +
        'a file from your disk must be copied or exported again.',
      weights,
    );
  }
  if (error instanceof LinScopeError) return error;
  const e = errorLike(error);
  const message = String(e.message ?? '');
  // transformers.js calls a file of a model served here missing when its request got no answer at
  // all; the runtime's fetch recorded that, and the message says so (a 404 stays a missing file).
  const unreached = isMissingFile(e)
    ? fetchFailures?.behind(message)
    : isUnloadedTokenizer(e, what)
      ? fetchFailures?.under(`/${id}`)
      : null;
  if (unreached) {
    const at = unreached.path.indexOf(`/${id}/`);
    const file = at >= 0 ? unreached.path.slice(at + id.length + 2) : unreached.path;
    return new LinScopeError(
      'MODEL_UNREACHABLE',
      `The site could not be reached to load ${file} of model "${id}" (${unreached.reason}): the connection failed before any answer came. Check the connection, then press Analyze to retry.`,
    );
  }
  if (isUnloadedTokenizer(e, what))
    return new LinScopeError(
      'MODEL_NOT_FOUND',
      `Model "${id}" could not be loaded: its tokenizer files (tokenizer.json, tokenizer_config.json) could not be fetched.`,
    );
  if (isMissingFile(e)) {
    const dataFile = /onnx[/\\][^\s"'`/\\]+\.onnx_data(?:_\d+)?/.exec(message)?.[0].replace(/\\/g, '/');
    if (what === 'weights' && dataFile !== undefined)
      return new LinScopeError(
        'MODEL_NOT_FOUND',
        `Model "${id}" is missing ${dataFile}, the file its graph keeps its weights in. Copy it beside the graph (${dataFile.replace(/_data(_\d+)?$/, '')}).`,
      );
    if (what === 'weights' && dtype !== undefined && /onnx[/\\]/.test(message))
      return new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `Model "${id}" has no onnx/${DTYPE_FILES[dtype]} (the ${dtype} variant). Try another dtype.${mergedDecoderAside(message, fileExists)}`,
      );
    return new LinScopeError(
      'MODEL_NOT_FOUND',
      `Model "${id}" could not be found: its ${what === 'weights' ? 'ONNX weights are' : `${what} is`} missing. ` +
        'Check the Hub id (org/name) or pick a transformers.js model folder (config.json, tokenizer.json, onnx/model.onnx).',
    );
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    const path = /'([^']+)'/.exec(message)?.[1];
    return new LinScopeError(
      'BAD_INPUT',
      `Model "${id}": ${path ? `${path} cannot be read` : `its ${what} cannot be read`} (permission denied). Give yourself read access to the model's files.`,
    );
  }
  if (isNetworkFailure(e) && !fromHub)
    return new LinScopeError(
      'MODEL_UNREACHABLE',
      `The files of model "${id}" could not be downloaded (${message}). Check the connection and press Analyze to try again.`,
    );
  if (isNetworkFailure(e))
    return new LinScopeError(
      'MODEL_UNREACHABLE',
      `The Hugging Face Hub could not be reached to load "${id}" (${message}). Check the connection, or use a model folder from disk.`,
    );
  // transformers.js knows each architecture by config.json's `model_type`.
  const modelType = /^Unsupported model type: (.*)$/m.exec(message)?.[1];
  if (modelType !== undefined)
    return new LinScopeError(
      'UNSUPPORTED_GRAPH',
      modelType === 'null' || modelType === 'undefined'
        ? `Model "${id}": its config.json gives no model_type (the architecture, such as "gpt2" or "llama"). Use the config.json that came with the model.`
        : `Model "${id}": its config.json names the architecture "${modelType}", which transformers.js cannot load. LinScope runs decoder models transformers.js knows (GPT-2, Llama, Qwen2, GPT-NeoX, OPT, Phi ...).`,
    );
  // A config or tokenizer that is there but unreadable (not JSON, wrong fields) is the model's fault;
  // a failure while creating the session is left as it is (onnxruntime's own words are the best clue).
  if (what !== 'weights')
    return new LinScopeError('BAD_INPUT', `The ${what} of model "${id}" could not be read: ${message}`);
  return error;
}
