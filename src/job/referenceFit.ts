/**
 * The per-token reference maps of a job: the reference corpus run through the model and a map fitted
 * for every layer pair (`fitReferenceMaps`), paid once per model, corpus and settings (`fitStore.ts`).
 */
import { keptTokens, type ReferenceFit, type RunControl } from '../analysis';
import type { HiddenStateModel } from '../model/hiddenStateModel';
import type { ReferenceCorpus } from './corpus';
import { contentHash, MemoryFitStore, type ReferenceFitKeyParts, type ReferenceFitStore } from './fitStore';
import { runForwardWindows } from './forwardWindows';
import { modelKey } from './modelCache';
import { fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import type { AnalysisSettings } from './settings';

export type { ReferenceCorpus, ReferenceFitKeyParts };

export interface ReferenceFitControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Where fits are kept between runs (default: memory of this process). */
  readonly fitStore?: ReferenceFitStore;
  /** Worker threads to fit big models' pairs on (default: this thread). */
  readonly pairWorkers?: PairWorkers;
  /** Reference tokens per hidden dimension to run and fit on (default `REFERENCE_TOKENS_PER_DIM`). */
  readonly tokensPerDim?: number;
}

/** Reference tokens beyond this many per hidden dimension add time, not information. */
export const REFERENCE_TOKENS_PER_DIM = 8;

/** Width assumed when a config does not give it, for the reference's token budget only. */
const UNKNOWN_HIDDEN = 1024;

/** Fits of this process, when the host gives no store of its own. */
const sessionFits = new MemoryFitStore();

/** Reference tokens the fit runs through the model and fits on (at most): `tokensPerDim` per dimension. */
export function referenceTokenBudget(
  model: Pick<HiddenStateModel, 'config'>,
  tokensPerDim = REFERENCE_TOKENS_PER_DIM,
): number {
  return tokensPerDim * (model.config.hidden ?? UNKNOWN_HIDDEN);
}

/** What `referenceFit` for these inputs depends on (`ReferenceFitKeyParts`). */
export function referenceFitKeyParts(
  model: Pick<HiddenStateModel, 'spec' | 'config'>,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  tokensPerDim = REFERENCE_TOKENS_PER_DIM,
): ReferenceFitKeyParts {
  return {
    model: modelKey(model.spec),
    dtype: model.spec.dtype,
    reference: `${reference.source}:${reference.name}`,
    content: contentHash(reference.texts),
    sampling: `first ${referenceTokenBudget(model, tokensPerDim)} tokens in windows of ${windowLength}`,
    // Not the bare flag: fits stored when it left out every window's first row must not be reused.
    settings: `${settings.excludeBos ? 'exclude-first-positions' : 'all-positions'}|quantile ${settings.flashQuantile}`,
  };
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
  tokensPerDim = REFERENCE_TOKENS_PER_DIM,
): Promise<boolean> {
  const parts = referenceFitKeyParts(model, reference, settings, windowLength, tokensPerDim);
  return (await store.get(referenceFitKey(parts), parts)) !== undefined;
}

/** The maps fitted on `reference` for `model`, from the store when they were fitted before. */
export async function referenceFit(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  control: ReferenceFitControl,
): Promise<ReferenceFit> {
  const store = control.fitStore ?? sessionFits;
  const parts = referenceFitKeyParts(model, reference, settings, windowLength, control.tokensPerDim);
  const key = referenceFitKey(parts);
  const cached = await store.get(key, parts);
  if (cached) return cached;
  const run = await runForwardWindows(
    model,
    reference.texts,
    windowLength,
    'reference',
    control,
    referenceTokenBudget(model, control.tokensPerDim),
  );
  // Each document's BOS (or, without one, each window's first token): left out when asked.
  const starts = settings.excludeBos ? run.firstPositionRows : [];
  const analysisControl: RunControl = { signal: control.signal, onProgress: control.onProgress };
  const options = { tokens: keptTokens(run.states.tokens, starts), quantile: settings.flashQuantile };
  const fit = await fitReferenceMapsInParallel(run.states, options, analysisControl, control.pairWorkers);
  await store.put(key, fit, parts);
  return fit;
}
