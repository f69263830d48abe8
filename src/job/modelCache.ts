/**
 * The loaded model of this process (a worker, the CLI), kept between jobs: loading is the slow part
 * of a second run on the same model, and one model at a time is what a tab's memory allows.
 */
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import { HiddenStateModel, type LoadProgress, type ModelSpec } from '../model/hiddenStateModel';

let cachedModel: { key: string; withReplacement: boolean; model: Promise<HiddenStateModel> } | null = null;

/**
 * What tells two model loads apart: id, revision, weights and device (the same weights give the same
 * states and fits, with or without the block-replacement session).
 */
export function modelKey(spec: ModelSpec): string {
  return [spec.id, spec.revision ?? 'main', spec.dtype, spec.device].join('|');
}

/**
 * The model for `spec`, loaded once and kept until another model is asked for. A model loaded with
 * its block-replacement session serves plain requests too; one without is loaded again when a
 * request needs the session.
 */
export async function loadModel(
  rt: LinScopeRuntime,
  spec: ModelSpec,
  onProgress?: (p: LoadProgress) => void,
): Promise<HiddenStateModel> {
  const key = modelKey(spec);
  const needsReplacement = spec.blockReplacement === true;
  if (cachedModel?.key !== key || (needsReplacement && !cachedModel.withReplacement)) {
    const previous = cachedModel?.model;
    cachedModel = {
      key,
      withReplacement: needsReplacement,
      model: HiddenStateModel.load(rt, spec, onProgress),
    };
    cachedModel.model.catch(() => {
      if (cachedModel?.key === key) cachedModel = null;
    });
    previous?.then((m) => m.dispose()).catch(() => undefined);
  }
  return cachedModel.model;
}
