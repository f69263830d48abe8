/**
 * A reference fit file made for other weights of the model (a fine-tune under the same name). Opened
 * while the model is loaded, it is refused at once, naming both fingerprints. Opened before the model
 * is loaded, the import cannot compare the weights' fingerprints, so it takes the file; the analysis
 * that loads the model finds the fit made for other weights, fits the reference again, and says so to
 * the page (`fit-set-aside`), as does a fit made ahead. Through the worker's message loop with the
 * real handlers on a Node host.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisFitKeyParts, referenceFitKey } from '../../src/job/referenceFit';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { loadModelConfig } from '../../src/model/tokenCount';
import { writeFitFile } from '../../src/share/fitFile';
import { finalEvent, inProcessWorker, type Posted } from './inProcessWorker';

const MODEL = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const }, allowHub: false };
const PROMPT =
  'In the beginning God created the heaven and the earth. And the earth was without form, and void. ' +
  'A hacker is a person who enjoys exploring the details of programmable systems.';
const ANALYZE = { model: MODEL, texts: [PROMPT], settings: DEFAULT_SETTINGS, reference: 'bundled' as const };
const AHEAD = { model: MODEL, settings: DEFAULT_SETTINGS, reference: 'bundled' as const };
const OTHER_WEIGHTS = 'feedfacefeedface';
/** The same model's other weights: loading them ahead unloads the fp32 model (one model is kept). */
const Q8_MODEL = { ...MODEL, spec: { ...MODEL.spec, dtype: 'q8' as const } };
const FILE_NAME = 'tuned.fit.safetensors';

/** Whether a request's events include reference windows (the fit made again). */
const ranReference = (posted: Posted[]) =>
  posted.some(
    ({ event }) =>
      event.type === 'progress' && event.progress.stage === 'forward' && event.progress.of === 'reference',
  );

const setAsideNotes = (posted: Posted[]) =>
  posted.flatMap(({ event }) => (event.type === 'fit-set-aside' ? [event.note] : []));

async function probedWorker() {
  const worker = inProcessWorker();
  await worker.request({ type: 'probe', backend: 'auto', assetBase: 'file:///' });
  return worker;
}

const openFit = (worker: Awaited<ReturnType<typeof probedWorker>>, bytes: Uint8Array) =>
  worker.request({
    type: 'import-fit',
    request: { ...AHEAD, file: { name: FILE_NAME, file: new Blob([bytes as BlobPart]) } },
  });

describe('a fit file opened for other weights of the model', () => {
  /** The model's own fit, as a fit file that says it was made for other weights. */
  let tunedFit: Uint8Array;
  /** The model's own fit, as a fit file of these weights. */
  let ownFit: Uint8Array;
  let weights: string;

  beforeAll(async () => {
    const worker = await probedWorker();
    expect(finalEvent(await worker.request({ type: 'analyze', request: ANALYZE })).type).toBe('result');
    const rt = await worker.host.runtime();
    const spec = { ...MODEL.spec, device: 'cpu' as const };
    const reference = await worker.host.bundledReference('reference-en.txt');
    const parts = analysisFitKeyParts(spec, await loadModelConfig(rt, spec), reference, DEFAULT_SETTINGS);
    const own = await worker.host.fitStore.get(referenceFitKey(parts));
    if (!own?.weights) throw new Error('the analysis stored no fit with its weights');
    weights = own.weights;
    tunedFit = writeFitFile({ ...parts, weights: OTHER_WEIGHTS }, { ...own, weights: OTHER_WEIGHTS });
    ownFit = writeFitFile({ ...parts, weights }, own);
  }, 120_000);

  const note = () =>
    `The fit opened from ${FILE_NAME} was made for other weights of linscope/tiny-gpt2 (fingerprint ${OTHER_WEIGHTS}; this model's are ${weights}: another checkpoint or fine-tune under the same name), so it is not used: the reference is fitted again for these weights.`;

  it('is refused as it opens while the model is loaded, naming both fingerprints', async () => {
    const worker = await probedWorker();
    await worker.request({ type: 'load-ahead', model: MODEL });
    const event = finalEvent(await openFit(worker, tunedFit));
    expect(event).toMatchObject({ type: 'error' });
    expect(event.type === 'error' && event.error.message).toBe(
      `${FILE_NAME} was fitted for other weights of linscope/tiny-gpt2 (fingerprint ${OTHER_WEIGHTS}; the loaded model's are ${weights}: another checkpoint or fine-tune under the same name), so it is not used. Open the fit saved for these weights, or press Analyze to fit the reference for them.`,
    );
  }, 120_000);

  it('is taken when opened before the model is loaded, then set aside by the analysis, which says so and fits the reference again', async () => {
    const worker = await probedWorker();
    await worker.request({ type: 'load-ahead', model: Q8_MODEL });
    expect(finalEvent(await openFit(worker, tunedFit))).toMatchObject({ type: 'fit-imported' });
    const posted = await worker.request({ type: 'analyze', request: ANALYZE });
    expect(finalEvent(posted).type).toBe('result');
    expect(setAsideNotes(posted)).toEqual([note()]);
    expect(ranReference(posted)).toBe(true);
    // The fit made again serves these weights: the next analysis runs no reference and says nothing.
    const again = await worker.request({ type: 'analyze', request: ANALYZE });
    expect(setAsideNotes(again)).toEqual([]);
    expect(ranReference(again)).toBe(false);
  }, 120_000);

  it('is set aside by a fit made ahead the same way, with the same words', async () => {
    const worker = await probedWorker();
    await worker.request({ type: 'load-ahead', model: Q8_MODEL });
    expect(finalEvent(await openFit(worker, tunedFit))).toMatchObject({ type: 'fit-imported' });
    // The page fits ahead once the model is loaded ahead.
    await worker.request({ type: 'load-ahead', model: MODEL });
    const prepared = await worker.request({ type: 'prepare-reference', request: AHEAD });
    expect(finalEvent(prepared)).toMatchObject({ type: 'reference-prepared', ready: true });
    expect(setAsideNotes(prepared)).toEqual([note()]);
    expect(ranReference(prepared)).toBe(true);
  }, 120_000);

  it('is used, without a word, when it was made for these weights', async () => {
    const worker = await probedWorker();
    await openFit(worker, ownFit);
    const posted = await worker.request({ type: 'analyze', request: ANALYZE });
    expect(setAsideNotes(posted)).toEqual([]);
    expect(ranReference(posted)).toBe(false);
  }, 120_000);
});
