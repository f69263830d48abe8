/**
 * A reference fit serves only the weights it was made with: a fit stored under a model's name is
 * made again, and replaced, when the weights under that name change (a fine-tune in a folder of the
 * same name, a Hub model updated in place); the same files in another folder give the same
 * fingerprint, so their fit is reused.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitCorpus } from '../../src/job/corpus';
import { MemoryFitStore } from '../../src/job/fitStore';
import type { FittedReference } from '../../src/job/fittedReference';
import { referenceFit, referenceFitKey, referenceFitKeyParts } from '../../src/job/referenceFit';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime, readModelsFromFolder } from '../../src/model/nodeRuntime';
import { PUBLIC_MODELS, ROOT } from '../support/models';

const work = mkdtempSync(join(tmpdir(), 'linscope-fit-weights-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `source` copied to `<work>/<place>/tiny-gpt2`: the same model id wherever it comes from. */
function placed(place: string, source: string): string {
  const parent = join(work, place);
  cpSync(source, join(parent, 'tiny-gpt2'), { recursive: true });
  return parent;
}

const corpus = {
  source: 'bundled' as const,
  name: 'reference-en.txt',
  texts: splitCorpus(readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8'), 'reference-en.txt'),
};

describe('reference fits and the weights they were made with', () => {
  it('makes the fit again for other weights under the same name, and reuses it for the same files elsewhere', async () => {
    const rt = await nodeRuntime();
    const load = async (parent: string) => {
      readModelsFromFolder(rt, parent);
      return HiddenStateModel.load(rt, { id: 'tiny-gpt2', dtype: 'fp32', device: 'cpu' });
    };
    const store = new MemoryFitStore();
    let made = 0;
    const control = {
      fitStore: store,
      onProgress: (p: { stage: string; of?: string; window?: number }) => {
        if (p.stage === 'forward' && p.of === 'reference' && p.window === 1) made++;
      },
    };
    const base = await load(placed('base', join(PUBLIC_MODELS, 'linscope/tiny-gpt2')));
    const baseFit = await referenceFit(base, corpus, DEFAULT_SETTINGS, 256, control);
    expect(made).toBe(1);
    expect(baseFit.weights).toBe(base.weights);
    await base.dispose();

    const copy = await load(placed('copy', join(PUBLIC_MODELS, 'linscope/tiny-gpt2')));
    expect(copy.weights).toBe(baseFit.weights);
    expect(await referenceFit(copy, corpus, DEFAULT_SETTINGS, 256, control)).toBe(baseFit);
    expect(made).toBe(1);
    await copy.dispose();

    const tuned = await load(placed('tuned', join(PUBLIC_MODELS, 'fixtures/tiny-gpt2-finetune/step-200')));
    expect(tuned.weights).not.toBe(baseFit.weights);
    const tunedFit = await referenceFit(tuned, corpus, DEFAULT_SETTINGS, 256, control);
    expect(made).toBe(2);
    expect(tunedFit.weights).toBe(tuned.weights);
    expect(tunedFit.fit.pairs[0]?.map.weights).not.toEqual(baseFit.fit.pairs[0]?.map.weights);
    // The store now holds the fine-tune's fit under the shared key.
    expect(await referenceFit(tuned, corpus, DEFAULT_SETTINGS, 256, control)).toBe(tunedFit);
    expect(made).toBe(2);
    await tuned.dispose();
  }, 120_000);

  it('says when it sets a stored fit aside for other weights (an opened fit file), and fits again', async () => {
    const rt = await nodeRuntime();
    readModelsFromFolder(rt, placed('opened', join(PUBLIC_MODELS, 'linscope/tiny-gpt2')));
    const model = await HiddenStateModel.load(rt, { id: 'tiny-gpt2', dtype: 'fp32', device: 'cpu' });
    const store = new MemoryFitStore();
    const setAside: { stored: FittedReference; weights: string }[] = [];
    const control = {
      fitStore: store,
      onOtherWeights: (stored: FittedReference, weights: string) => setAside.push({ stored, weights }),
    };
    const own = await referenceFit(model, corpus, DEFAULT_SETTINGS, 256, control);
    expect(setAside).toEqual([]);
    // A fit file opened for this model before it was loaded: made for other weights.
    const key = referenceFitKey(referenceFitKeyParts(model, corpus, DEFAULT_SETTINGS, 256));
    const opened = { ...own, weights: 'feedfacefeedface', openedFrom: 'tuned.fit.safetensors' };
    await store.put(key, opened);
    const again = await referenceFit(model, corpus, DEFAULT_SETTINGS, 256, control);
    expect(setAside).toEqual([{ stored: opened, weights: model.weights }]);
    expect(again).not.toBe(opened);
    expect(again.weights).toBe(model.weights);
    expect(again.openedFrom).toBeUndefined();
    expect(await store.get(key)).toBe(again);
    // The fit made again serves these weights: nothing more is set aside.
    expect(await referenceFit(model, corpus, DEFAULT_SETTINGS, 256, control)).toBe(again);
    expect(setAside).toHaveLength(1);
    await model.dispose();
  }, 120_000);
});
