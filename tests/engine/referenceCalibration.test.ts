/**
 * The reference the per-token maps are fitted on must fit the text it judges (docs/analysis.md,
 * "The reference sample", "Calibration"): on held-out text from the reference's own distribution,
 * every layer pair's flash rate must come out near the nominal 1%, within [0.3%, 3%]. Checked on
 * each bundled model with its own reference, and shown to fail for LinScope's first reference (the
 * first 8 x d tokens of public-domain English, in corpus order): the check can tell.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perTokenNonlinearity } from '../../src/analysis';
import { runAnalyzeJob } from '../../src/job/analyze';
import { splitCorpus } from '../../src/job/corpus';
import { MemoryFitStore } from '../../src/job/fitStore';
import type { FittedReference } from '../../src/job/fittedReference';
import { runForwardWindows } from '../../src/job/forwardWindows';
import { loadModel } from '../../src/job/modelCache';
import { referenceFit } from '../../src/job/referenceFit';
import { DEFAULT_REFERENCE_SAMPLING, type ReferenceSampling } from '../../src/job/referenceSample';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import type { LinScopeRuntime } from '../../src/model/augmentingRuntime';
import { bundledReferenceFile } from '../../src/model/catalog';
import type { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { convertStories260K, PUBLIC_MODELS, ROOT, STORIES_ID } from '../support/models';

const BAND = [0.003, 0.03] as const;
const NOMINAL = 1 - DEFAULT_SETTINGS.flashQuantile;

const corpus = (file: string) => ({
  source: 'bundled' as const,
  name: file,
  texts: splitCorpus(readFileSync(join(ROOT, 'public/corpus', file), 'utf8'), file),
});
const texts = (path: string) => splitCorpus(readFileSync(join(ROOT, path), 'utf8'), path);

/** Each pair's share of flashing tokens on `heldOut`, every token counted. */
async function flashRates(
  model: HiddenStateModel,
  fitted: FittedReference,
  heldOut: string[],
  window: number,
) {
  const run = await runForwardWindows(model, heldOut, window, 'input', {});
  const { flash } = perTokenNonlinearity(fitted.fit, run.states);
  return flash.map((f) => f.reduce((s, v) => s + v, 0) / f.length);
}

const inBand = (r: number) => r >= BAND[0] && r <= BAND[1];

interface Case {
  model: string;
  /** Held-out text from the domain of the model's own reference. */
  heldOut: string;
  /** The windows the model runs (its context length). */
  window: number;
}

const CASES: Case[] = [
  { model: 'linscope/tiny-gpt2', heldOut: 'tests/fixtures/reference/heldout-kjv-jargon.txt', window: 256 },
  { model: STORIES_ID, heldOut: 'tests/fixtures/reference/heldout-stories.txt', window: 512 },
];

/** LinScope's first reference: the corpus's first 8 x d tokens, in order. */
const OLD: ReferenceSampling = { rule: 'prefix', seed: 0 };
const OLD_TOKENS_PER_DIM = 8;

let rt: LinScopeRuntime;
let stories: { root: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  rt = await nodeRuntime();
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
  stories = await convertStories260K();
}, 60_000);

afterAll(async () => {
  await stories?.cleanup();
});

async function open(id: string): Promise<HiddenStateModel> {
  rt.transformers.env.localModelPath = `${id === STORIES_ID ? stories.root : PUBLIC_MODELS}/`;
  return loadModel(rt, { id, dtype: 'fp32', device: 'cpu' });
}

describe.each(CASES)('the reference of $model', ({ model: id, heldOut, window }) => {
  it('flashes at about the nominal rate on held-out text of its own domain, whatever the seed; the first reference did not', async () => {
    const model = await open(id);
    const own = corpus(bundledReferenceFile(id));
    const held = texts(heldOut);
    for (const seed of [1, 2, 3]) {
      const fitted = await referenceFit(model, own, DEFAULT_SETTINGS, window, {
        sampling: { rule: DEFAULT_REFERENCE_SAMPLING.rule, seed },
        fitStore: new MemoryFitStore(),
      });
      const rates = await flashRates(model, fitted, held, window);
      console.log(id, 'seed', seed, 'held-out text', rates, 'fit check', fitted.heldOutFlashRate);
      for (const r of rates) expect(r).toSatisfy(inBand);
      // The fit's own check (2,048 held-out reference tokens in whole windows, a few documents) is noisier: no
      // pair above 3 x nominal, and the pairs' mean in the band.
      const check = fitted.heldOutFlashRate.map((r) => r as number);
      for (const r of check) expect(r).toBeLessThanOrEqual(BAND[1]);
      expect(check.reduce((sum, r) => sum + r, 0) / check.length).toSatisfy(inBand);
    }
    const old = await referenceFit(model, corpus('reference-en.txt'), DEFAULT_SETTINGS, window, {
      sampling: OLD,
      fitStore: new MemoryFitStore(),
      tokens: OLD_TOKENS_PER_DIM * (model.config.hidden ?? 0),
    });
    expect(old.composition.tokens).toBe(OLD_TOKENS_PER_DIM * (model.config.hidden ?? 0));
    const oldRates = await flashRates(model, old, held, window);
    console.log(id, 'first reference', oldRates);
    expect(NOMINAL).toBeCloseTo(0.01, 12);
    expect(oldRates.some((r) => !inBand(r))).toBe(true);
  }, 600_000);
});

describe('stories260K judged against its own reference', () => {
  it('has held-out scores without the residual that are not negative on children’s stories', async () => {
    rt.transformers.env.localModelPath = `${stories.root}/`;
    const out = await runAnalyzeJob(
      rt,
      {
        model: { id: STORIES_ID, dtype: 'fp32', device: 'cpu' },
        texts: texts('docs/linearize/stories.txt'),
        settings: DEFAULT_SETTINGS,
        reference: corpus(bundledReferenceFile(STORIES_ID)),
      },
      { fitStore: new MemoryFitStore() },
    );
    const scores = out.tail.layers.map((p) => p.heldOut?.linearityNoResidual ?? null);
    console.log('stories260K held-out without residual', scores, out.tail.perToken?.calibration);
    expect(out.tail.perToken?.reference).toMatchObject({
      name: 'reference-stories.txt',
      tokens: 4096,
      corpusDocuments: 80,
      sampling: { rule: 'seeded-windows', seed: 1, chunkTokens: 512 },
      heldOut: { tokens: 2048 },
    });
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
