import { describe, expect, it } from 'vitest';
import { overallFraction, PHASE_COST_PER_TOKEN, phasePosition, planAnalysis, secondsLeft } from './progress';

// GPT-2-small-shaped: 12 pairs of d = 768; 256 tokens of text; 6144 reference tokens (8 per
// dimension) and 1536 held out to check the fit (2 per dimension).
const GPT2 = {
  layers: 12,
  hidden: 768,
  inputTokens: 256,
  referenceTokens: 6144,
  referenceCheckTokens: 1536,
  withReference: true,
};

describe('planAnalysis()', () => {
  it('weights the phases by tokens x L x d^2 and their cost per token', () => {
    const plan = planAnalysis(GPT2);
    const unit = 12 * 768 ** 2;
    expect(plan).toEqual([
      { phase: 'forward-input', cost: 256 * unit },
      // n <= d: no in-sample fit, only companions and the split.
      { phase: 'score', cost: PHASE_COST_PER_TOKEN.scoreCompanions * 256 * unit },
      { phase: 'forward-reference', cost: 6144 * unit },
      { phase: 'fit', cost: PHASE_COST_PER_TOKEN.fit * 6144 * unit },
      { phase: 'reference-check', cost: 1536 * unit },
      { phase: 'reference-score', cost: PHASE_COST_PER_TOKEN.referenceScore * 256 * unit },
    ]);
    // The reference is most of a first run: 96% here (92% measured before the held-out check,
    // docs/performance.md, WASM: 81% of a first run whose load was 12%).
    const total = plan.reduce((s, p) => s + p.cost, 0);
    expect((plan[2].cost + plan[3].cost + plan[4].cost) / total).toBeCloseTo(10137.6 / 10547.2, 12);
  });

  it('scores the text on the maps before checking them when the job shows a reference view', () => {
    expect(planAnalysis({ ...GPT2, scoreBeforeCheck: true }).map((p) => p.phase)).toEqual([
      'forward-input',
      'score',
      'forward-reference',
      'fit',
      'reference-score',
      'reference-check',
    ]);
  });

  it('leaves out the reference run and fit when the fit is stored, and every reference phase without one', () => {
    expect(
      planAnalysis({ ...GPT2, referenceTokens: 0, referenceCheckTokens: 0 }).map((p) => p.phase),
    ).toEqual(['forward-input', 'score', 'reference-score']);
    expect(
      planAnalysis({ ...GPT2, referenceTokens: 0, referenceCheckTokens: 0, withReference: false }).map(
        (p) => p.phase,
      ),
    ).toEqual(['forward-input', 'score']);
  });
});

describe('phasePosition() and overallFraction()', () => {
  const plan = [
    { phase: 'forward-input', cost: 10 },
    { phase: 'score', cost: 10 },
    { phase: 'forward-reference', cost: 60 },
    { phase: 'fit', cost: 20 },
  ] as const;

  it('reads a forward window as started, not done: window 1 of 1 is 0, not 100%', () => {
    expect(phasePosition({ stage: 'forward', of: 'input', window: 1, windows: 1 })).toEqual({
      phase: 'forward-input',
      fraction: 0,
    });
    expect(phasePosition({ stage: 'forward', of: 'reference', window: 3, windows: 7 })?.fraction).toBeCloseTo(
      2 / 7,
      12,
    );
    expect(phasePosition({ stage: 'forward', of: 'reference-check', window: 2, windows: 2 })).toEqual({
      phase: 'reference-check',
      fraction: 0.5,
    });
    expect(phasePosition({ stage: 'sample', done: 3, total: 12 })).toEqual({
      phase: 'reference-sample',
      fraction: 0.25,
    });
    expect(phasePosition({ stage: 'download', file: 'x', loaded: 1, total: 2 })).toBeNull();
  });

  it('adds the costs of the phases before to the share of the current one', () => {
    expect(overallFraction(plan, { stage: 'forward', of: 'input', window: 1, windows: 1 })).toBe(0);
    expect(overallFraction(plan, { stage: 'score', done: 5, total: 10 })).toBeCloseTo(0.15, 12);
    expect(overallFraction(plan, { stage: 'score', done: 10, total: 10 })).toBeCloseTo(0.2, 12);
    // Reference window 4 of 7: three done, 3/7 of 60.
    expect(overallFraction(plan, { stage: 'forward', of: 'reference', window: 4, windows: 7 })).toBeCloseTo(
      (20 + (60 * 3) / 7) / 100,
      12,
    );
    expect(overallFraction(plan, { stage: 'fit', done: 6, total: 12 })).toBeCloseTo(0.9, 12);
    expect(overallFraction(plan, { stage: 'fit', done: 12, total: 12 })).toBe(1);
    // A phase the plan did not expect counts from where it would be: after every phase listed here.
    expect(overallFraction(plan, { stage: 'reference-score', done: 1, total: 12 })).toBe(1);
    expect(overallFraction([], { stage: 'fit', done: 1, total: 2 })).toBeNull();
  });
});

describe('secondsLeft()', () => {
  it('extrapolates the rate so far', () => {
    expect(secondsLeft(0.25, 10_000)).toBeCloseTo(30, 12);
    expect(secondsLeft(0.5, 4_000)).toBeCloseTo(4, 12);
    expect(secondsLeft(1, 4_000)).toBe(0);
  });

  it('says nothing while too little is known, or for impossible inputs', () => {
    expect(secondsLeft(0.01, 10_000)).toBeNull();
    expect(secondsLeft(0.5, 100)).toBeNull();
    expect(secondsLeft(Number.NaN, 1_000)).toBeNull();
  });
});
