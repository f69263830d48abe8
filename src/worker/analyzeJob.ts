/**
 * One analysis, host-agnostic: load the model (cached), run the texts window by window, fit the
 * per-token reference maps (cached), score every layer pair, and build the result JSON. The browser
 * worker and the CLI both call `runAnalyzeJob` with their own runtime.
 */
import packageJson from '../../package.json';
import {
  type AnalysisProgress,
  type HiddenStates,
  hiddenStates,
  keptTokens,
  type LayerPairRecord,
  type ReferenceFit,
} from '../analysis';
import { LinScopeError } from '../errors';
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import { HiddenStateModel, type LoadProgress, type ModelSpec } from '../model/hiddenStateModel';
import { planWindows } from '../model/windows';
import {
  finiteOrNull,
  type LinScopeResult,
  RESULT_SCHEMA,
  type ResultLogitLens,
  type ResultToken,
} from '../share/result';
import { writeSafetensors } from '../share/safetensors';
import { analyzeLayersInParallel, fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import { contentHash, MemoryFitStore, type ReferenceFitStore } from './referenceFitStore';
import type { AnalysisSettings } from './settings';

export { type AnalysisSettings, DEFAULT_SETTINGS } from './settings';

export interface ReferenceCorpus {
  source: 'bundled' | 'user';
  name: string;
  texts: string[];
}

export interface AnalyzeJob {
  model: ModelSpec;
  /** One prompt, or the documents of a corpus (states pooled). */
  texts: string[];
  settings: AnalysisSettings;
  /** Texts the per-token maps are fitted on; without it there are no per-token values. */
  reference: ReferenceCorpus | null;
}

export type JobProgress =
  | LoadProgress
  | { stage: 'forward'; of: 'input' | 'reference'; window: number; windows: number }
  | AnalysisProgress;

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Where reference fits are kept between runs (default: memory of this process). */
  fitStore?: ReferenceFitStore;
  /** The result so far: after the forward passes (no layers yet), then after each scored pair. */
  onPartial?: (partial: PartialResult) => void;
  /** Worker threads to score big runs' layer pairs on (default: this thread). */
  pairWorkers?: PairWorkers;
}

/** A result still arriving: `layers` holds the pairs scored so far; per-token values come last. */
export type PartialResult = Omit<LinScopeResult, 'perToken'> & { perToken?: undefined };

/** What one job computed besides the result: the raw arrays, for `--dump-hidden` and benchmarks. */
export interface JobOutput {
  result: LinScopeResult;
  states: HiddenStates;
  lastBlockOutput: Float32Array;
  ids: number[];
}

/**
 * A job's hidden states as a safetensors file: `hidden_states` [L+1, T, d], `last_block_output`
 * [T, d], `input_ids` [T] (contract.md, `--dump-hidden`).
 */
export function hiddenStatesFile(output: JobOutput): Uint8Array {
  const { states, lastBlockOutput, ids } = output;
  return writeSafetensors(
    {
      hidden_states: {
        dtype: 'F32',
        shape: [states.states, states.tokens, states.hidden],
        data: states.data,
      },
      last_block_output: { dtype: 'F32', shape: [states.tokens, states.hidden], data: lastBlockOutput },
      input_ids: { dtype: 'I64', shape: [ids.length], data: BigInt64Array.from(ids, BigInt) },
    },
    {
      model: output.result.model.id,
      dtype: output.result.model.dtype,
      generator: `linscope ${output.result.generator.version}`,
    },
  );
}

/** A SharedArrayBuffer where the host has them, else an ArrayBuffer. */
function shareableBuffer(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes);
}

/** `count` empty rows. */
function rows<T>(count: number): T[][] {
  return Array.from({ length: count }, () => []);
}

/** Reference tokens beyond this many per hidden dimension add time, not information. */
const REFERENCE_TOKENS_PER_DIM = 8;

let cachedModel: { key: string; model: Promise<HiddenStateModel> } | null = null;
/** Fits of this process, when the host gives no store of its own. */
const sessionFits = new MemoryFitStore();

const modelKey = (spec: ModelSpec) => [spec.id, spec.revision ?? 'main', spec.dtype, spec.device].join('|');

/** The model for `spec`, loaded once and kept until another model is asked for. */
export async function loadModel(
  rt: LinScopeRuntime,
  spec: ModelSpec,
  onProgress?: (p: LoadProgress) => void,
): Promise<HiddenStateModel> {
  const key = modelKey(spec);
  if (cachedModel?.key !== key) {
    const previous = cachedModel?.model;
    cachedModel = { key, model: HiddenStateModel.load(rt, spec, onProgress) };
    cachedModel.model.catch(() => {
      if (cachedModel?.key === key) cachedModel = null;
    });
    previous?.then((m) => m.dispose()).catch(() => undefined);
  }
  return cachedModel.model;
}

interface RunStates {
  states: HiddenStates;
  lastBlockOutput: Float32Array;
  ids: number[];
  tokens: ResultToken[];
  windows: { doc: number; start: number; end: number }[];
  vocab: number;
  /** Pooled logit lens [L+1][N] over the kept tokens, where the model has one. */
  lens: ResultLogitLens | null;
}

async function runTexts(
  model: HiddenStateModel,
  texts: string[],
  windowLength: number,
  of: 'input' | 'reference',
  hooks: JobHooks,
  tokenLimit = Number.POSITIVE_INFINITY,
): Promise<RunStates> {
  const bos = (model.config as { bos_token_id?: number }).bos_token_id ?? null;
  const plans = texts.map((text, doc) => {
    const ids = model.encode(text);
    return { doc, ids, windows: planWindows(ids, windowLength, bos) };
  });
  // The windows to run: all of them, or exactly `tokenLimit` kept tokens. The last window is cut
  // short rather than run whole: a causal model's states for the tokens kept do not depend on the
  // tokens after them (a GPT-2-sized reference: 6144 tokens instead of the 6683 of seven whole windows).
  const toRun: { doc: number; w: (typeof plans)[number]['windows'][number] }[] = [];
  let N = 0;
  for (const plan of plans) {
    for (const w of plan.windows) {
      if (N >= tokenLimit) break;
      const take = Math.min(w.ids.length - w.keepFrom, tokenLimit - N);
      toRun.push({ doc: plan.doc, w: { ...w, ids: w.ids.slice(0, w.keepFrom + take) } });
      N += take;
    }
  }
  if (N === 0) throw new LinScopeError('BAD_INPUT', 'The text has no tokens. Type or upload some text.');
  // Each window's states go into the pooled arrays as soon as it has run, and its own result is
  // dropped: the job holds one window's output at a time, not all of them (its logits, [T, V],
  // 200 MB per 1,024-token window of a GPT-2, are never read).
  let pooled: {
    L: number;
    d: number;
    vocab: number;
    data: Float32Array;
    lastBlockOutput: Float32Array;
  } | null = null;
  const ids: number[] = [];
  const tokens: ResultToken[] = [];
  const windows: RunStates['windows'] = [];
  let lens: { topId: number[][]; topProb: number[][]; nextLoss: (number | null)[][] } | null = null;
  let row = 0;
  for (const [k, { doc, w }] of toRun.entries()) {
    hooks.signal?.throwIfAborted();
    hooks.onProgress?.({ stage: 'forward', of, window: k + 1, windows: toRun.length });
    const r = await model.forward(w.ids);
    const { layers: L, hidden: d } = r;
    if (pooled === null) {
      pooled = {
        L,
        d,
        vocab: r.vocab,
        // Shared where the host allows it (Node; a cross-origin isolated page), so that pair
        // workers read these states without a copy each (parallelPairs.ts).
        data: new Float32Array(shareableBuffer((L + 1) * N * d * 4)),
        lastBlockOutput: new Float32Array(N * d),
      };
      if (r.lens) lens = { topId: rows(L + 1), topProb: rows(L + 1), nextLoss: rows(L + 1) };
    }
    const { keepFrom } = w;
    const T = r.tokens - keepFrom;
    if (lens && !r.lens) lens = null;
    if (lens && r.lens) {
      for (let l = 0; l <= L; l++) {
        for (let t = keepFrom; t < r.tokens; t++) {
          const at = l * r.tokens + t;
          lens.topId[l].push(r.lens.topId[at]);
          lens.topProb[l].push(r.lens.topProb[at]);
          lens.nextLoss[l].push(finiteOrNull(r.lens.nextLoss[at]));
        }
      }
    }
    for (let l = 0; l <= L; l++) {
      pooled.data.set(
        r.hiddenStates.subarray((l * r.tokens + keepFrom) * d, (l + 1) * r.tokens * d),
        (l * N + row) * d,
      );
    }
    pooled.lastBlockOutput.set(r.lastBlockOutput.subarray(keepFrom * d), row * d);
    ids.push(...plans[doc].ids.slice(w.textStart, w.textStart + T));
    windows.push({ doc, start: row, end: row + T });
    row += T;
  }
  // N > 0, so at least one window ran (this only tells the type checker).
  if (pooled === null) throw new LinScopeError('INTERNAL', 'runTexts: no window ran');
  const { L, d, vocab, data, lastBlockOutput } = pooled;
  // Token texts per document, so characters split across windows still come out whole.
  for (const plan of plans) {
    const n = windows.filter((w) => w.doc === plan.doc).reduce((s, w) => s + w.end - w.start, 0);
    if (n === 0) continue;
    for (const t of model.describeTokens(plan.ids.slice(0, n)))
      tokens.push({ id: t.id, text: t.text, doc: plan.doc });
  }
  const lensTokens: Record<string, string> = {};
  if (lens) for (const id of new Set(lens.topId.flat())) lensTokens[id] = model.tokenText(id);
  return {
    states: hiddenStates(data, L + 1, N, d),
    lastBlockOutput,
    ids,
    tokens,
    windows,
    vocab,
    lens: lens ? { ...lens, tokenText: lensTokens } : null,
  };
}

async function referenceFit(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  hooks: JobHooks,
): Promise<ReferenceFit> {
  const store = hooks.fitStore ?? sessionFits;
  const key = [
    modelKey(model.spec),
    reference.source,
    reference.name,
    contentHash(reference.texts),
    windowLength,
    settings.excludeBos,
    settings.flashQuantile,
  ].join('|');
  const cached = await store.get(key);
  if (cached) return cached;
  const d = (model.config.hidden_size ?? model.config.n_embd ?? 0) || 1024;
  const run = await runTexts(
    model,
    reference.texts,
    windowLength,
    'reference',
    hooks,
    REFERENCE_TOKENS_PER_DIM * d,
  );
  // Each reference window's first token is BOS (or a document start): left out when asked.
  const starts = settings.excludeBos ? run.windows.map((w) => w.start) : [];
  const fit = await fitReferenceMapsInParallel(
    run.states,
    { tokens: keptTokens(run.states.tokens, starts), quantile: settings.flashQuantile },
    { signal: hooks.signal, onProgress: hooks.onProgress },
    hooks.pairWorkers,
  );
  await store.put(key, fit);
  return fit;
}

export async function runAnalyzeJob(
  rt: LinScopeRuntime,
  job: AnalyzeJob,
  hooks: JobHooks = {},
): Promise<JobOutput> {
  const texts = job.texts.filter((t) => t.trim().length > 0);
  if (texts.length === 0)
    throw new LinScopeError('BAD_INPUT', 'The text is empty. Type or upload some text to analyse.');
  const model = await loadModel(rt, job.model, hooks.onProgress);
  hooks.signal?.throwIfAborted();
  const { settings } = job;
  const windowLength = Math.max(2, Math.min(settings.maxWindow, model.contextLength ?? settings.maxWindow));
  const run = await runTexts(model, texts, windowLength, 'input', hooks);
  // What is known before the layers are scored: the charts can show their frame and fill in.
  const base = {
    schema: RESULT_SCHEMA,
    generator: { name: 'linscope', version: packageJson.version },
    model: {
      id: job.model.id,
      revision: job.model.revision ?? 'main',
      layers: model.layers,
      hidden: run.states.hidden,
      dtype: job.model.dtype,
      vocab: run.vocab,
      contextLength: model.contextLength ?? null,
      graph: model.augmentation.plan.style,
    },
    settings: {
      excludeBos: settings.excludeBos,
      excludeMassive: settings.excludeMassive,
      heldOutFraction: settings.heldOutFraction,
      windowLength,
    },
    tokens: run.tokens,
    windows: run.windows,
    logitLens: run.lens,
  } satisfies Partial<LinScopeResult>;
  const scored: LayerPairRecord[] = [];
  hooks.onPartial?.({ ...base, excludedTokens: [], layers: [], states: [] });
  const fit = job.reference ? await referenceFit(model, job.reference, settings, windowLength, hooks) : null;
  const analysis = await analyzeLayersInParallel(
    run.states,
    {
      excludeBos: settings.excludeBos,
      excludeMassive: settings.excludeMassive,
      reference: fit,
      heldOutFraction: settings.heldOutFraction,
      intrinsicDimension: settings.intrinsicDimension,
    },
    {
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      onPair: (record) => {
        // In pair order, whichever worker delivered it first.
        scored.push(record);
        scored.sort((a, b) => a.pair[0] - b.pair[0]);
        hooks.onPartial?.({ ...base, excludedTokens: [], layers: [...scored], states: [] });
      },
    },
    hooks.pairWorkers,
  );
  const perToken = analysis.perToken;
  const result: LinScopeResult = {
    ...base,
    excludedTokens: analysis.excludedTokens,
    layers: analysis.layers,
    states: analysis.states,
    perToken:
      perToken && fit && job.reference
        ? {
            nonlinearity: perToken.relative.map((row) => Array.from(row, finiteOrNull)),
            flash: perToken.flash.map((row) => Array.from(row)),
            flashThreshold: fit.pairs.map((p) => (p ? finiteOrNull(p.relativeThreshold) : null)),
            unit: 'relative-to-reference-mean-error',
            reference: {
              source: job.reference.source,
              name: job.reference.name,
              tokens: fit.n,
              quantile: fit.quantile,
            },
          }
        : null,
  };
  return { result, states: run.states, lastBlockOutput: run.lastBlockOutput, ids: run.ids };
}
