/**
 * The analysis job in its progressive order (src/job/analyze.ts): the text's own scores first, then
 * the reference. What the first view shows must be the final result's in-sample numbers, and the
 * final result must be what one pass with the reference gives (the flow before the reorder), on the
 * embedded model with the bundled reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodePairWorkers } from '../../cli/nodePairWorkers';
import { analyzeLayers, type LayerPairRecord } from '../../src/analysis';
import { type JobOutput, runAnalyzeJob } from '../../src/job/analyze';
import { splitCorpus } from '../../src/job/corpus';
import { MemoryFitStore } from '../../src/job/fitStore';
import { loadModel } from '../../src/job/modelCache';
import { type JobProgress, overallFraction, type ProgressPlan } from '../../src/job/progress';
import { referenceFitKey, referenceFitKeyParts } from '../../src/job/referenceFit';
import type { ResultFirstView, ResultHead, ResultTail } from '../../src/job/result';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import type { LinScopeRuntime } from '../../src/model/augmentingRuntime';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { MODELS_DIR } from './nodeHost';

const ROOT = join(MODELS_DIR, '../..');
const MODEL = { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const, device: 'cpu' as const };
const REFERENCE = {
  source: 'bundled' as const,
  name: 'reference-en.txt',
  texts: splitCorpus(readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8'), 'reference-en.txt'),
};
// ~300 tokens: more than d = 128, so the in-sample scores exist and the split ones are fitted on 225.
const TEXT = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(20_000, 21_400);

type Event =
  | { kind: 'plan'; plan: ProgressPlan }
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'started'; head: ResultHead }
  | { kind: 'pair'; record: LayerPairRecord }
  | { kind: 'first-view'; firstView: ResultFirstView };

describe('the progressive analysis job (embedded model, bundled reference)', () => {
  let rt: LinScopeRuntime;
  const store = new MemoryFitStore();
  const events: Event[] = [];
  let output: JobOutput;

  beforeAll(async () => {
    rt = await nodeRuntime();
    rt.transformers.env.allowLocalModels = true;
    rt.transformers.env.localModelPath = `${MODELS_DIR}/`;
    output = await runAnalyzeJob(
      rt,
      { model: MODEL, texts: [TEXT], settings: DEFAULT_SETTINGS, reference: REFERENCE },
      {
        fitStore: store,
        onPlan: (plan) => events.push({ kind: 'plan', plan }),
        onProgress: (progress) => events.push({ kind: 'progress', progress }),
        onStarted: (head) => events.push({ kind: 'started', head }),
        onPair: (record) => events.push({ kind: 'pair', record }),
        onFirstView: (firstView) => events.push({ kind: 'first-view', firstView }),
      },
    );
  }, 120_000);

  it('shows the first view before the reference is run, with the final in-sample numbers', () => {
    const at = (pred: (e: Event) => boolean) => events.findIndex(pred);
    const firstView = at((e) => e.kind === 'first-view');
    const referenceForward = at(
      (e) => e.kind === 'progress' && e.progress.stage === 'forward' && e.progress.of === 'reference',
    );
    expect(at((e) => e.kind === 'started')).toBeLessThan(at((e) => e.kind === 'pair'));
    expect(firstView).toBeGreaterThan(at((e) => e.kind === 'pair'));
    expect(referenceForward).toBeGreaterThan(firstView);
    // Every pair streamed before the first view, none after it.
    expect(events.slice(firstView).some((e) => e.kind === 'pair')).toBe(false);
    const view = (events[firstView] as Extract<Event, { kind: 'first-view' }>).firstView;
    const L = output.head.model.layers;
    expect(view.layers).toHaveLength(L);
    expect(view.layers[0].n).toBeGreaterThan(view.layers[0].d);
    for (const [l, record] of view.layers.entries()) {
      const final = output.tail.layers[l];
      // The in-sample scores and companions are the final ones, bit for bit; only held-out differs.
      expect({ ...record, heldOut: null }).toEqual({ ...final, heldOut: null });
      expect(record.linearity).toBeGreaterThan(0.5);
      expect(record.heldOut?.source).toBe('split');
      expect(record.heldOut?.linearity).not.toBeNull();
      expect(final.heldOut?.source).toBe('reference');
      expect(final.heldOut?.nFit).toBe(REFERENCE_TOKENS);
    }
    expect(view.states).toEqual(output.tail.states);
    expect(view.excludedTokens).toEqual(output.tail.excludedTokens);
  });

  it('gives exactly the result of one pass with the reference maps (the flow before)', async () => {
    const model = await loadModel(rt, MODEL);
    const windowLength = output.head.settings.windowLength;
    const key = referenceFitKey(referenceFitKeyParts(model, REFERENCE, DEFAULT_SETTINGS, windowLength));
    const fit = (await store.get(key))?.fit;
    expect(fit).toBeDefined();
    const before = analyzeLayers(output.states, {
      excludeTokens: [],
      excludeMassive: false,
      reference: fit,
      heldOutFraction: DEFAULT_SETTINGS.heldOutFraction,
      intrinsicDimension: false,
    });
    expect(JSON.stringify(output.tail.layers)).toBe(JSON.stringify(before.layers));
    expect(output.tail.states).toEqual(before.states);
    expect(output.tail.perToken?.nonlinearity).toEqual(before.perToken?.relative);
    expect(output.tail.perToken?.flash).toEqual(before.perToken?.flash);
    // Real values: per-token errors of a few times the reference's typical one, not all ones.
    const row = Array.from(output.tail.perToken?.nonlinearity[1] ?? []);
    expect(Math.max(...row)).toBeGreaterThan(2);
  });

  it('shows all but the fit’s check once the maps exist, when asked: the final numbers, less the check', async () => {
    const fresh = new MemoryFitStore();
    const order: string[] = [];
    const views: ResultTail[] = [];
    const out = await runAnalyzeJob(
      rt,
      { model: MODEL, texts: [TEXT], settings: DEFAULT_SETTINGS, reference: REFERENCE },
      {
        fitStore: fresh,
        onFirstView: () => order.push('first-view'),
        onProgress: (p) => {
          if (p.stage === 'fit') order.push('fit');
          if (p.stage === 'forward' && p.of === 'reference-check') order.push('check');
        },
        onReferenceView: (tail) => {
          order.push('reference-view');
          views.push(tail);
        },
      },
    );
    expect(views).toHaveLength(1);
    // After the first view and the fit; the result comes after it.
    expect(order.indexOf('reference-view')).toBeGreaterThan(order.lastIndexOf('fit'));
    expect(order.indexOf('fit')).toBeGreaterThan(order.indexOf('first-view'));
    const [view] = views;
    const final = out.tail;
    // The numbers are the final ones, bit for bit; only the check's figures are missing.
    expect(JSON.stringify(view.layers)).toBe(JSON.stringify(final.layers));
    expect(view.states).toEqual(final.states);
    expect(view.perToken?.nonlinearity).toEqual(final.perToken?.nonlinearity);
    expect(view.perToken?.flash).toEqual(final.perToken?.flash);
    expect(view.perToken?.flashThreshold).toEqual(final.perToken?.flashThreshold);
    expect(view.perToken?.calibration).toBeUndefined();
    expect(final.perToken?.calibration?.heldOutFlashRate.some((r) => r !== null)).toBe(true);
    const { heldOut, ...fittedOn } = final.perToken?.reference ?? {};
    expect(heldOut?.tokens).toBeGreaterThan(0);
    expect(view.perToken?.reference).toEqual(fittedOn);
    // The same as a run that is not asked for it.
    expect(JSON.stringify(final.layers)).toBe(JSON.stringify(output.tail.layers));
    expect(final.perToken).toEqual(output.tail.perToken);

    // With the fit stored there is nothing to show early: no reference view.
    const again: ResultTail[] = [];
    await runAnalyzeJob(
      rt,
      { model: MODEL, texts: [TEXT], settings: DEFAULT_SETTINGS, reference: REFERENCE },
      { fitStore: fresh, onReferenceView: (tail) => again.push(tail) },
    );
    expect(again).toHaveLength(0);
  });

  it('scores the text on the maps before the fit’s check runs the model, and checks on the pair workers with the same numbers', async () => {
    const order: string[] = [];
    const workers = nodePairWorkers(2, true);
    const out = await runAnalyzeJob(
      rt,
      { model: MODEL, texts: [TEXT], settings: DEFAULT_SETTINGS, reference: REFERENCE },
      {
        fitStore: new MemoryFitStore(),
        pairWorkers: workers,
        // As the page's worker: a timer task between model runs.
        yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
        onProgress: (p) => {
          if (p.stage === 'forward' && p.of === 'reference-check') order.push('check');
        },
        onReferenceView: () => order.push('reference-view'),
      },
    );
    // The text's scoring on the maps (on the pair workers, a while) is done before the check's
    // first window: it would otherwise wait behind the check's model runs.
    expect(order.indexOf('reference-view')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('reference-view')).toBeLessThan(order.indexOf('check'));
    // The check scored on the pair workers: the calibration of the single-thread run, bit for bit.
    expect(out.tail.perToken?.calibration).toEqual(output.tail.perToken?.calibration);
    expect(out.tail.perToken?.reference).toEqual(output.tail.perToken?.reference);
    expect(out.tail.perToken?.nonlinearity).toEqual(output.tail.perToken?.nonlinearity);
  });

  it('plans one overall bar that only moves forward and reaches the end', () => {
    const plans = events.filter((e): e is Extract<Event, { kind: 'plan' }> => e.kind === 'plan');
    expect(plans).toHaveLength(1);
    const { plan } = plans[0];
    expect(plan.map((p) => p.phase)).toEqual([
      'forward-input',
      'score',
      'forward-reference',
      'fit',
      'reference-check',
      'reference-score',
    ]);
    const fractions = events.flatMap((e) =>
      e.kind === 'progress' ? [overallFraction(plan, e.progress)].filter((f) => f !== null) : [],
    ) as number[];
    expect(fractions.length).toBeGreaterThan(10);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
  });

  it('runs the reference once: a second run reuses the stored fit and plans no reference phases', async () => {
    const plans: ProgressPlan[] = [];
    const progress: JobProgress[] = [];
    const again = await runAnalyzeJob(
      rt,
      { model: MODEL, texts: [TEXT], settings: DEFAULT_SETTINGS, reference: REFERENCE },
      { fitStore: store, onPlan: (plan) => plans.push(plan), onProgress: (p) => progress.push(p) },
    );
    expect(plans[0].map((p) => p.phase)).toEqual(['forward-input', 'score', 'reference-score']);
    expect(progress.some((p) => p.stage === 'forward' && p.of === 'reference')).toBe(false);
    expect(progress.some((p) => p.stage === 'fit')).toBe(false);
    expect(JSON.stringify(again.tail.layers)).toBe(JSON.stringify(output.tail.layers));
  });
});

/** The reference's token budget for d = 128: the floor of 4096 (`MIN_REFERENCE_TOKENS`). */
const REFERENCE_TOKENS = 4096;
