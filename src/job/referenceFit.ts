/**
 * The per-token reference maps of a job: the reference corpus run through the model and a map fitted
 * for every layer pair (`fitReferenceMaps`), paid once per model, corpus and settings (`fitStore.ts`).
 */
import { keptTokens, type ReferenceFit, type RunControl } from '../analysis';
import type { HiddenStateModel } from '../model/hiddenStateModel';
import type { ReferenceCorpus } from './corpus';
import { contentHash, MemoryFitStore, type ReferenceFitStore } from './fitStore';
import { runForwardWindows } from './forwardWindows';
import { modelKey } from './modelCache';
import { fitReferenceMapsInParallel, type PairWorkers } from './parallelPairs';
import type { JobProgress } from './progress';
import type { AnalysisSettings } from './settings';

export type { ReferenceCorpus };

export interface ReferenceFitControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Where fits are kept between runs (default: memory of this process). */
  readonly fitStore?: ReferenceFitStore;
  /** Worker threads to fit big models' pairs on (default: this thread). */
  readonly pairWorkers?: PairWorkers;
  /** See `ForwardControl.yieldToEvents`. */
  readonly yieldToEvents?: () => Promise<void>;
}

/** Reference tokens beyond this many per hidden dimension add time, not information. */
export const REFERENCE_TOKENS_PER_DIM = 8;

/** Width assumed when a config does not give it, for the reference's token budget only. */
const UNKNOWN_HIDDEN = 1024;

/** Fits of this process, when the host gives no store of its own. */
const sessionFits = new MemoryFitStore();

/** The maps fitted on `reference` for `model`, from the store when they were fitted before. */
export async function referenceFit(
  model: HiddenStateModel,
  reference: ReferenceCorpus,
  settings: AnalysisSettings,
  windowLength: number,
  control: ReferenceFitControl,
): Promise<ReferenceFit> {
  const store = control.fitStore ?? sessionFits;
  const key = [
    modelKey(model.spec),
    reference.source,
    reference.name,
    contentHash(reference.texts),
    windowLength,
    // Not the bare flag: fits stored when it left out every window's first row must not be reused.
    settings.excludeBos ? 'exclude-first-positions' : false,
    settings.flashQuantile,
  ].join('|');
  const cached = await store.get(key);
  if (cached) return cached;
  const d = model.config.hidden ?? UNKNOWN_HIDDEN;
  const run = await runForwardWindows(
    model,
    reference.texts,
    windowLength,
    'reference',
    control,
    REFERENCE_TOKENS_PER_DIM * d,
  );
  // Each document's BOS (or, without one, each window's first token): left out when asked.
  const starts = settings.excludeBos ? run.firstPositionRows : [];
  const analysisControl: RunControl = { signal: control.signal, onProgress: control.onProgress };
  const options = { tokens: keptTokens(run.states.tokens, starts), quantile: settings.flashQuantile };
  const fit = await fitReferenceMapsInParallel(run.states, options, analysisControl, control.pairWorkers);
  await store.put(key, fit);
  return fit;
}
