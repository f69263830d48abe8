/**
 * The reference fit of the next analysis, made before anyone asks for it: once the page has loaded
 * the chosen model ahead (`prepareModel`), this fits the reference maps the next Analyze would look up,
 * while the user is still writing. A first run then needs no reference work at all (a GPT-2-sized
 * model spends some 40 s of a first run on it on two cores; docs/analysis.md, "Loading ahead").
 *
 * It is background work: between its model runs and before its fit it waits for any foreground job
 * (`backgroundTurn`), so an Analyze pressed meanwhile gets its first view as fast as without it, and
 * then waits for this fit instead of making its own (`referenceFit`).
 */
import type { ModelSpec } from '../model/hiddenStateModel';
import type { ReferenceCorpus } from './corpus';
import { backgroundTurn } from './foreground';
import { loadedModel } from './modelCache';
import { analysisFitInputs, type ReferenceFitControl, referenceFit } from './referenceFit';
import type { AnalysisSettings } from './settings';

export interface ReferenceAheadJob {
  readonly model: ModelSpec;
  readonly reference: ReferenceCorpus;
  readonly settings: AnalysisSettings;
  /** As the analysis will be sent it (`AnalyzeJob.referenceTokensPerDim`). */
  readonly referenceTokensPerDim?: number;
}

/**
 * Makes the fit an analysis of `job` would use, into `control.fitStore`, on the model this process has
 * loaded (ahead: `prepareModel`). True once the fit is there; false where that model is not the one
 * loaded (nothing is loaded here) or the reference is not one to fit ahead. A stop
 * (`control.signal`) or a failure of the fit rejects.
 */
export async function prepareReferenceFit(
  job: ReferenceAheadJob,
  control: Omit<ReferenceFitControl, 'background' | 'sampling' | 'tokens'>,
): Promise<boolean> {
  // Writing the model's own text takes minutes on a CPU: that is for a run someone asked for.
  if (job.reference.source === 'model') return false;
  await backgroundTurn();
  control.signal?.throwIfAborted();
  const model = await loadedModel(job.model);
  if (!model) return false;
  control.signal?.throwIfAborted();
  const { windowLength, sampling } = analysisFitInputs(model, job.settings, job.referenceTokensPerDim);
  const yieldToEvents = control.yieldToEvents;
  await referenceFit(model, job.reference, job.settings, windowLength, {
    ...control,
    ...sampling,
    background: true,
    // Between model runs, and before the fit: a job someone waits for goes first.
    yieldToEvents: async () => {
      await yieldToEvents?.();
      await backgroundTurn();
    },
  });
  return true;
}
