/**
 * "The model's own text" as a reference (docs/analysis.md): seeded samples the model writes, made
 * once per model and seed (the fit is cached by seed, before any sample is written), with progress
 * and cancel between samples.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelTextReference } from '../../src/job/corpus';
import { MemoryFitStore } from '../../src/job/fitStore';
import { loadModel } from '../../src/job/modelCache';
import { sampleModelTexts } from '../../src/job/modelTexts';
import type { JobProgress } from '../../src/job/progress';
import { referenceFit } from '../../src/job/referenceFit';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import type { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { PUBLIC_MODELS } from '../support/models';

const OWN_TEXT: ModelTextReference = { source: 'model', name: 'the model’s own text (seed 1)', seed: 1 };
const MODEL = { id: 'linscope/tiny-gpt2', dtype: 'fp32', device: 'cpu' } as const;

let model: HiddenStateModel;

beforeAll(async () => {
  const rt = await nodeRuntime();
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
  rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
  model = await loadModel(rt, MODEL);
}, 60_000);

describe('sampleModelTexts()', () => {
  it('writes the same samples for a seed, other ones for another seed, with progress', async () => {
    const progress: JobProgress[] = [];
    const a = await sampleModelTexts(model, OWN_TEXT, 3, 30, { onProgress: (p) => progress.push(p) });
    const b = await sampleModelTexts(model, OWN_TEXT, 3, 30);
    const other = await sampleModelTexts(model, { ...OWN_TEXT, seed: 2 }, 3, 30);
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(3);
    expect(other).not.toEqual(a);
    // Each sample is the model's: 30 new tokens of its vocabulary, encoded back to about as many.
    for (const text of a) {
      const ids = model.encode(text);
      expect(ids.length).toBeGreaterThan(10);
      expect(ids.length).toBeLessThanOrEqual(40);
    }
    expect(progress).toEqual([0, 1, 2, 3].map((done) => ({ stage: 'sample', done, total: 3 })));
  }, 60_000);

  it('stops between samples when cancelled', async () => {
    const controller = new AbortController();
    const written = sampleModelTexts(model, OWN_TEXT, 50, 30, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'sample' && p.done === 2) controller.abort();
      },
    });
    await expect(written).rejects.toThrow(/abort/i);
  }, 60_000);
});

describe('a reference fit on the model’s own text', () => {
  it('is written and fitted once, then comes from the store without writing again', async () => {
    const store = new MemoryFitStore();
    const events: JobProgress[] = [];
    const control = { fitStore: store, tokens: 256, onProgress: (p: JobProgress) => events.push(p) };
    const first = await referenceFit(model, OWN_TEXT, DEFAULT_SETTINGS, 256, control);
    const samples = events.filter((p) => p.stage === 'sample');
    expect(samples.length).toBeGreaterThan(2);
    expect(first.composition.tokens).toBe(256);
    expect(first.composition.heldOut.tokens).toBeGreaterThan(0);

    events.length = 0;
    const again = await referenceFit(model, OWN_TEXT, DEFAULT_SETTINGS, 256, control);
    expect(events.filter((p) => p.stage === 'sample')).toEqual([]);
    expect(again).toBe(first);

    // Another seed is another reference: it starts writing (cancelled here once it has).
    const controller = new AbortController();
    const seen: JobProgress[] = [];
    const other = referenceFit(model, { ...OWN_TEXT, seed: 2 }, DEFAULT_SETTINGS, 256, {
      ...control,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.stage === 'sample') controller.abort();
      },
    });
    await expect(other).rejects.toThrow(/abort/i);
    expect(seen.some((p) => p.stage === 'sample')).toBe(true);
  }, 240_000);
});
