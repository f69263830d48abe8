/**
 * The loaded model of this process (a worker, the CLI), kept between jobs: loading is the slow part
 * of a second run on the same model, and one model at a time is what a tab's memory allows.
 *
 * The page may also load a model before anything is asked of it (`prepareModel`): such a load is
 * tentative. A job that finds one in flight waits for it, and if it fails (the page prepares only
 * from files it already has, so a model that needs a download fails there), loads the model itself.
 */
import type { LinScopeRuntime } from '../model/augmentingRuntime';
import { HiddenStateModel, type LoadProgress, type ModelSpec } from '../model/hiddenStateModel';
import { ProgressFanOut } from './progressFanOut';

interface CachedModel {
  readonly key: string;
  readonly withReplacement: boolean;
  readonly model: Promise<HiddenStateModel>;
  /** Started by `prepareModel`: its failure is not a job's. */
  readonly tentative: boolean;
  /** The load's progress, for everyone waiting for it. */
  readonly progress: ProgressFanOut<LoadProgress>;
}

let cachedModel: CachedModel | null = null;

/** The longest a model's load waits for the previous model's load, warm-up and runs to end. */
export const PREVIOUS_MODEL_WAIT_MS = 60_000;

/**
 * What tells two model loads apart: id, revision, weights and device (the same weights give the same
 * states and fits, with or without the block-replacement session).
 */
export function modelKey(spec: ModelSpec): string {
  return [spec.id, spec.revision ?? 'main', spec.dtype, spec.device].join('|');
}

/** The cached load of `spec` if it serves it (a load with the block-replacement session serves plain requests too). */
function cachedFor(spec: ModelSpec): CachedModel | null {
  const current = cachedModel;
  if (current?.key !== modelKey(spec)) return null;
  return spec.blockReplacement === true && !current.withReplacement ? null : current;
}

/** Resolves when `done` does or `ms` have passed, whichever comes first (no timer is left behind). */
function endedOrAfter(done: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([done, waited]).finally(() => clearTimeout(timer));
}

function startLoad(rt: LinScopeRuntime, spec: ModelSpec, tentative: boolean): CachedModel {
  const key = modelKey(spec);
  const previous = cachedModel?.model;
  const progress = new ProgressFanOut<LoadProgress>();
  // One model's sessions are made only once the previous model is loaded (or failed) and idle:
  // onnxruntime-web's WebGPU worker trapped ("memory access out of bounds", its runtime spent) when a
  // model chosen while the previous one was still warming up had its session made meanwhile. A
  // previous load that does not end (a download stalled) holds the next one back no longer than
  // PREVIOUS_MODEL_WAIT_MS.
  const previousDone = previous
    ? endedOrAfter(
        previous.then((m) => m.idle()).catch(() => undefined),
        PREVIOUS_MODEL_WAIT_MS,
      )
    : Promise.resolve();
  const entry: CachedModel = {
    key,
    withReplacement: spec.blockReplacement === true,
    model: previousDone.then(() => HiddenStateModel.load(rt, spec, progress.emit)),
    tentative,
    progress,
  };
  cachedModel = entry;
  entry.model.catch(() => {
    if (cachedModel === entry) cachedModel = null;
  });
  previous?.then((m) => m.dispose()).catch(() => undefined);
  return entry;
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
  const current = cachedFor(spec);
  if (current) {
    try {
      return await current.progress.follow(current.model, onProgress);
    } catch (error) {
      if (!current.tentative) throw error;
      // A preparation that failed: the job loads the model itself (and reports what goes wrong).
      return loadModel(rt, spec, onProgress);
    }
  }
  const entry = startLoad(rt, spec, false);
  return entry.progress.follow(entry.model, onProgress);
}

/** `entry`'s model once loaded and warmed up (`HiddenStateModel.warmUp`); null where its load failed. */
async function warmedUp(entry: CachedModel): Promise<HiddenStateModel | null> {
  try {
    const model = await entry.model;
    await model.warmUp();
    return model;
  } catch {
    return null;
  }
}

/**
 * Loads the model for `spec` ahead of any job and warms its session up (`HiddenStateModel.warmUp`),
 * unless it is loaded already. True once the model is ready; false where it could not be loaded
 * (the job that asks for it will load it and say why). Never throws.
 */
export async function prepareModel(rt: LinScopeRuntime, spec: ModelSpec): Promise<boolean> {
  return (await warmedUp(cachedFor(spec) ?? startLoad(rt, spec, true))) !== null;
}

/**
 * The model for `spec` if this process has it loaded (or is loading it), warmed up; null otherwise.
 * Loads nothing, so it never takes the place of another model a job is using.
 */
export async function loadedModel(spec: ModelSpec): Promise<HiddenStateModel | null> {
  const current = cachedFor(spec);
  return current ? warmedUp(current) : null;
}
