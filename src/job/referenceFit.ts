/**
 * The per-token reference maps of a job: reference windows sampled across the corpus
 * (`referenceSample.ts`), run through the model, a map fitted for every layer pair
 * (`fitReferenceMaps`), and the fit checked on held-out reference tokens; paid once per model,
 * corpus and settings (`fitStore.ts`).
 */

import { keptTokens, type ReferenceFit, type RunControl } from '../analysis';
import { LinScopeError } from '../errors';
import type { ModelConfig } from '../model/config';
import type { HiddenStateModel, ModelSpec } from '../model/hiddenStateModel';
import { type ReferenceCorpus, referenceTooSmall } from './corpus';
import {
  contentHash,
  fitsWeights,
  MemoryFitStore,
  type ReferenceFitKeyParts,
  type ReferenceFitStore,
} from './fitStore';
import type { FittedReference } from './fittedReference';
import { backgroundTurn } from './foreground';
import { analysisWindowLength, planTexts, runWindows } from './forwardWindows';
import { modelKey } from './modelCache';
import { MODEL_TEXT_SAMPLE_TOKENS, modelTextSampleCount, sampleModelTexts } from './modelTexts';
import { analyzeLayersInParallel, fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import { ProgressFanOut } from './progressFanOut';
import {
  DEFAULT_REFERENCE_SAMPLING,
  type ReferenceSample,
  type ReferenceSampling,
  runsOf,
  sampleReference,
} from './referenceSample';
import type { AnalysisSettings } from './settings';

export type { ReferenceCorpus, ReferenceFitKeyParts };

export interface ReferenceFitControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Lets the host's event loop run between model runs (a worker reads Cancel then). */
  readonly yieldToEvents?: () => Promise<void>;
  /** Where fits are kept between runs (default: memory of this process). */
  readonly fitStore?: ReferenceFitStore;
  /** Worker threads to fit big models' pairs on (default: this thread). */
  readonly pairWorkers?: PairWorkers;
  /** How reference tokens are chosen (default `DEFAULT_REFERENCE_SAMPLING`; tests try the old rule). */
  readonly sampling?: ReferenceSampling;
  /** Tokens to fit on (default `referenceTokens(d)`; tests and the size study try others). */
  readonly tokens?: number;
  /**
   * Made ahead of any job (`referenceAhead.ts`): a job that asks for the same fit meanwhile waits for
   * this one, and makes its own if this one is stopped.
   */
  readonly background?: boolean;
  /**
   * As soon as the maps are fitted, before they are checked on held-out reference tokens (that check
   * runs the model again): the maps and what they were fitted on. Not called for a stored fit.
   */
  readonly onMaps?: (maps: FittedMaps) => void;
  /**
   * A stored fit under this fit's key was made for other weights than the model's (`fitsWeights`):
   * it is not used, and the reference is fitted again (the new fit replaces it). Called with the
   * stored fit and the model's weights, before the fit is made.
   */
  readonly onOtherWeights?: (stored: FittedReference, weights: string) => void;
}

/** Tells `control` that `stored` is set aside for `weights`, where it is a fit made for other weights. */
function setAsideForOtherWeights(
  stored: FittedReference | undefined,
  weights: string | undefined,
  control: Pick<ReferenceFitControl, 'onOtherWeights'>,
): void {
  if (stored !== undefined && weights !== undefined && !fitsWeights(stored, weights))
    control.onOtherWeights?.(stored, weights);
}

/** A fit's maps and what they were fitted on, before the held-out check (`FittedReference` less it). */
export interface FittedMaps {
  readonly fit: ReferenceFit;
  readonly composition: Omit<FittedReference['composition'], 'heldOut'>;
}

/** Reference tokens beyond this many per hidden dimension add time, not information. */
export const REFERENCE_TOKENS_PER_DIM = 8;
/**
 * ...but never fewer than this many: the flash threshold is a 99th percentile, and with 8 x 64 = 512
 * tokens only 5 of them lie above it, too few to place it (measured over seeds 2-6: flash rates of
 * 0.5-3.7% per pair on stories260K's held-out stories, 1.0-4.2% on the embedded model's held-out
 * KJV/Jargon text, where 1% is nominal; with 4,096 tokens 0.6-1.7% and 0.7-2.8% over seeds 1-8).
 */
export const MIN_REFERENCE_TOKENS = 4096;

/** Reference tokens the maps of a model of width `d` are fitted on. */
export function referenceTokens(d: number): number {
  return Math.max(MIN_REFERENCE_TOKENS, REFERENCE_TOKENS_PER_DIM * d);
}

/** Held-out reference tokens that check a fit: this many per hidden dimension, at least `MIN_HELD_OUT_TOKENS`. */
export const HELD_OUT_TOKENS_PER_DIM = 2;
export const MIN_HELD_OUT_TOKENS = 2048;

/** Width assumed when a config does not give it, for the reference's token budget only. */
const UNKNOWN_HIDDEN = 1024;

/** New tokens per sample of the model's own text: a window's worth at most (BOS takes one place). */
const modelTextTokens = (windowLength: number) =>
  Math.max(1, Math.min(MODEL_TEXT_SAMPLE_TOKENS, windowLength - 1));

/** Changes whenever the way a fit is made changes, so that older cached fits are not reused. */
const FIT_RECIPE = 'reference/v2';

/** Fits of this process, when the host gives no store of its own. */
const sessionFits = new MemoryFitStore();

/** A fit being made, which others asking for the same key wait for instead of making it again. */
interface FitInFlight {
  readonly fitted: Promise<FittedReference>;
  /** Settles once the maps exist (never, if the fit fails before). */
  readonly maps: Promise<FittedMaps>;
  readonly background: boolean;
  /** The fit's progress, for its maker and everyone waiting for it. */
  readonly progress: ProgressFanOut<JobProgress>;
}

/** The fits being made in this process, by key. */
const fitsInFlight = new Map<string, FitInFlight>();

/** Hands `control.onMaps` the maps of `inFlight` once they exist, unless `control` was stopped by then. */
function followMaps(inFlight: FitInFlight, control: ReferenceFitControl): void {
  const { onMaps, signal } = control;
  if (!onMaps) return;
  void inFlight.maps.then((maps) => {
    if (!signal?.aborted) onMaps(maps);
  });
}

/** How a fit picks its tokens: the sampling rule and seed, and how many to fit on (`ReferenceFitControl`). */
export type ReferenceFitSampling = Pick<ReferenceFitControl, 'sampling' | 'tokens'>;

/** Reference tokens the maps of `model` are fitted on: `tokens`, or `referenceTokens(d)`. */
export function referenceFitTokens(
  model: { readonly config: Pick<ModelConfig, 'hidden'> },
  tokens?: number,
): number {
  return tokens ?? referenceTokens(model.config.hidden ?? UNKNOWN_HIDDEN);
}

/** Held-out reference tokens run to check a fit of `model`. */
export function referenceHeldOutTokens(model: Pick<HiddenStateModel, 'config'>): number {
  return Math.max(MIN_HELD_OUT_TOKENS, HELD_OUT_TOKENS_PER_DIM * (model.config.hidden ?? UNKNOWN_HIDDEN));
}

/** What `referenceFit` for these inputs depends on (`ReferenceFitKeyParts`). */
export function referenceFitKeyParts(
  model: {
    readonly spec: ModelSpec;
    readonly config: Pick<ModelConfig, 'hidden'>;
    /** The weights' fingerprint, where the model is loaded. */
    readonly weights?: string;
  },
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  options: ReferenceFitSampling = {},
): ReferenceFitKeyParts {
  const sampling = options.sampling ?? DEFAULT_REFERENCE_SAMPLING;
  return {
    model: modelKey(model.spec),
    dtype: model.spec.dtype,
    reference: `${reference.source}:${reference.name}`,
    // The model's own text is made from its seed: the key names the seed, not texts yet to be written.
    content: reference.source === 'model' ? `seed ${reference.seed}` : contentHash(reference.texts),
    sampling: `${FIT_RECIPE} ${sampling.rule} seed ${sampling.seed}: ${referenceFitTokens(model, options.tokens)} tokens in windows of ${windowLength}`,
    // Not the bare flag: fits stored when it left out every window's first row must not be reused.
    settings: `${settings.excludeBos ? 'exclude-first-positions' : 'all-positions'}|quantile ${settings.flashQuantile}`,
    ...(model.weights !== undefined ? { weights: model.weights } : {}),
  };
}

/** How an analysis samples its reference: the default, or `tokensPerDim` x d tokens where asked. */
export function analysisFitSampling(hidden: number | null, tokensPerDim?: number): ReferenceFitSampling {
  return tokensPerDim !== undefined && (hidden ?? 0) > 0 ? { tokens: tokensPerDim * (hidden ?? 0) } : {};
}

/** The window length and sampling of an analysis's fit (`runAnalyzeJob`, a fit made ahead, `analysisFitKeyParts`). */
export function analysisFitInputs(
  model: { readonly config: Pick<ModelConfig, 'hidden' | 'contextLength'> },
  settings: Pick<AnalysisSettings, 'maxWindow'>,
  tokensPerDim?: number,
): { windowLength: number; sampling: ReferenceFitSampling } {
  return {
    windowLength: analysisWindowLength(settings.maxWindow, model.config.contextLength),
    sampling: analysisFitSampling(model.config.hidden, tokensPerDim),
  };
}

/**
 * The key parts of the fit an analysis of `spec` looks up (`runAnalyzeJob`), from the model's
 * config alone: what a fit opened from a file is checked against before it is stored.
 */
export function analysisFitKeyParts(
  spec: ModelSpec,
  config: Pick<ModelConfig, 'hidden' | 'contextLength'>,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  tokensPerDim?: number,
): ReferenceFitKeyParts {
  const { windowLength, sampling } = analysisFitInputs({ config }, settings, tokensPerDim);
  return referenceFitKeyParts({ spec, config }, reference, settings, windowLength, sampling);
}

/** The store key of a fit: its parts, joined. */
export function referenceFitKey(parts: ReferenceFitKeyParts): string {
  return [parts.model, parts.reference, parts.content, parts.sampling, parts.settings].join('|');
}

/** Whether `store` (default: this process's memory) holds the fit `referenceFit` would make. */
export async function isReferenceFitStored(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  store: ReferenceFitStore = sessionFits,
  options: ReferenceFitSampling = {},
): Promise<boolean> {
  const parts = referenceFitKeyParts(model, reference, settings, windowLength, options);
  const stored = await store.get(referenceFitKey(parts), parts);
  return stored !== undefined && fitsWeights(stored, parts.weights);
}

/**
 * The reference windows of `fitted` run through the model and the maps fitted on their states. The
 * states (a GPT-2 small: 6,144 tokens x 13 states x 768, 245 MB) are this function's alone, so that
 * they are garbage once the maps exist, before the held-out windows run.
 */
async function fitOnSample(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  docIds: readonly (readonly number[])[],
  fitted: ReferenceSample['fit'],
  control: ReferenceFitControl,
): Promise<{ fit: ReferenceFit; seenIds: number[] }> {
  const run = await runWindows(model, docIds, runsOf(fitted), 'reference', control);
  // Rows at position 0 of what the model ran (each document's BOS, or, without one, a chunk that
  // starts a window): left out when asked, as for any text (`firstPositionRows`).
  const starts = settings.excludeBos ? run.firstPositionRows : [];
  const analysisControl: RunControl = { signal: control.signal, onProgress: control.onProgress };
  const tokens = keptTokens(run.states.tokens, starts);
  const tooSmall = referenceTooSmall(reference.name, tokens.length, run.states.hidden);
  if (tooSmall) throw new LinScopeError('BAD_INPUT', tooSmall);
  const options = { tokens, quantile: settings.flashQuantile };
  // The fit takes every core for a while: work someone waits for goes first (`backgroundTurn`).
  await control.yieldToEvents?.();
  control.signal?.throwIfAborted();
  const fit = await fitReferenceMapsInParallel(run.states, options, analysisControl, control.pairWorkers);
  const { ids } = run;
  const seenIds = [...new Set(Array.from(tokens, (t) => ids[t]))].sort((a, b) => a - b);
  return { fit, seenIds };
}

/**
 * The maps fitted on `reference` for `model`, from the store when they were fitted before. While the
 * same fit is being made (ahead of the job, or by another job), this waits for it instead.
 */
export async function referenceFit(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  control: ReferenceFitControl,
): Promise<FittedReference> {
  const store = control.fitStore ?? sessionFits;
  const parts = referenceFitKeyParts(model, reference, settings, windowLength, control);
  const key = referenceFitKey(parts);
  const cached = await store.get(key, parts);
  // A fit stored for other weights under this name (a fine-tune in a folder of the same name, a Hub
  // model updated in place) is made again, and replaces it.
  if (cached && fitsWeights(cached, parts.weights)) return cached;
  setAsideForOtherWeights(cached, parts.weights, control);
  const running = fitsInFlight.get(key);
  if (running) {
    followMaps(running, control);
    try {
      return await running.progress.follow(running.fitted, control.onProgress, control.signal);
    } catch (error) {
      // A fit made ahead that was stopped (its model or settings changed): this one makes its own.
      if (!running.background || control.signal?.aborted) throw error;
      if (fitsInFlight.get(key) === running) fitsInFlight.delete(key);
      return referenceFit(model, reference, settings, windowLength, control);
    }
  }
  const progress = new ProgressFanOut(control.onProgress);
  let mapsReady: (maps: FittedMaps) => void = () => {};
  const maps = new Promise<FittedMaps>((resolve) => {
    mapsReady = resolve;
  });
  const entry: FitInFlight = {
    fitted: makeReferenceFit(
      model,
      reference,
      settings,
      windowLength,
      { ...control, onProgress: progress.emit, onMaps: mapsReady },
      { store, key, parts, setAside: cached },
    ),
    maps,
    background: control.background === true,
    progress,
  };
  fitsInFlight.set(key, entry);
  followMaps(entry, control);
  try {
    return await entry.fitted;
  } finally {
    if (fitsInFlight.get(key) === entry) fitsInFlight.delete(key);
  }
}

/** `referenceFit` when nobody has made this fit: sampled, run, fitted, checked and stored under `key`. */
async function makeReferenceFit(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  control: ReferenceFitControl,
  {
    store,
    key,
    parts,
    setAside,
  }: {
    store: ReferenceFitStore;
    key: string;
    parts: ReferenceFitKeyParts;
    /** The stored fit found for other weights at the start (already said), if any. */
    setAside: FittedReference | undefined;
  },
): Promise<FittedReference> {
  const sampling = control.sampling ?? DEFAULT_REFERENCE_SAMPLING;
  const fitTokens = referenceFitTokens(model, control.tokens);
  const heldOutTokens = referenceHeldOutTokens(model);
  const texts =
    reference.source === 'model'
      ? await sampleModelTexts(
          model,
          reference,
          modelTextSampleCount(fitTokens + heldOutTokens, modelTextTokens(windowLength)),
          modelTextTokens(windowLength),
          control,
        )
      : reference.texts;
  const plans = planTexts(model, texts, windowLength);
  const docIds = plans.map((p) => p.ids);
  const sample = sampleReference(plans, sampling, fitTokens, heldOutTokens, windowLength);
  const { fit, seenIds } = await fitOnSample(model, reference, settings, docIds, sample.fit, control);
  const composition = {
    tokens: fit.n,
    quantile: fit.quantile,
    documents: new Set(sample.fit.map((s) => s.doc)).size,
    corpusDocuments: plans.length,
    sampling: { rule: sampling.rule, seed: sampling.seed, chunkTokens: sample.chunkTokens },
  };
  control.onMaps?.({ fit, composition });

  // The check: the share of held-out reference tokens above each pair's flash threshold.
  let heldOutFlashRate: (number | null)[] = fit.pairs.map(() => null);
  let heldOut = { tokens: 0, documents: 0 };
  if (sample.heldOut.length > 0) {
    // Work someone waits for goes first, between the check's model runs and before its scoring: a
    // job's text scored on these maps (`onMaps`: the heatmap) is not held up behind the check's
    // windows, during which this thread reads no message from its pair workers.
    const yieldToEvents = control.yieldToEvents;
    const checkControl: ReferenceFitControl = {
      ...control,
      yieldToEvents: async () => {
        await yieldToEvents?.();
        await backgroundTurn();
      },
    };
    const held = await runWindows(model, docIds, runsOf(sample.heldOut), 'reference-check', checkControl);
    const heldStarts = settings.excludeBos ? held.firstPositionRows : [];
    const scored = keptTokens(held.states.tokens, heldStarts);
    await checkControl.yieldToEvents?.();
    control.signal?.throwIfAborted();
    // The held-out tokens' per-token values, on the pair workers: what `perTokenNonlinearity` gives.
    const checked = await analyzeLayersInParallel(
      held.states,
      { excludeTokens: heldStarts, reference: fit, inSample: false, companions: false },
      { signal: control.signal },
      control.pairWorkers,
    );
    const perToken = checked.perToken;
    if (perToken === null) throw new LinScopeError('INTERNAL', 'the fit check computed no per-token values');
    heldOutFlashRate = fit.pairs.map((pair, l) => {
      if (pair === null || scored.length === 0) return null;
      let flashes = 0;
      for (const t of scored) flashes += perToken.flash[l][t];
      return flashes / scored.length;
    });
    heldOut = { tokens: scored.length, documents: new Set(sample.heldOut.map((s) => s.doc)).size };
  }
  const fitted: FittedReference = {
    fit,
    composition: { ...composition, heldOut },
    heldOutFlashRate,
    seenIds,
    ...(parts.weights !== undefined ? { weights: parts.weights } : {}),
  };
  // A fit stored meanwhile (opened from a file while this one was made ahead) is the one the user chose.
  const storedMeanwhile = await store.get(key, parts);
  if (storedMeanwhile && fitsWeights(storedMeanwhile, parts.weights)) return storedMeanwhile;
  // One stored meanwhile for other weights is replaced: said as for one found at the start.
  if (storedMeanwhile !== setAside) setAsideForOtherWeights(storedMeanwhile, parts.weights, control);
  await store.put(key, fitted, parts);
  return fitted;
}
