import { describe, expect, it } from 'vitest';
import { scoreDomain, scoreTickFormat } from './scoreDomain';

describe('scoreDomain(scores, mode, tickCount)', () => {
  it('hugs scores between 0.95 and 0.99 with padding, on nice ticks, never above 1', () => {
    // Spread 0.035, padding 0.0035: [0.9495, 0.9915] widened to the 0.01 step.
    const [bottom, top] = scoreDomain([0.953, 0.97, 0.988], 'fitted', 5);
    expect(bottom).toBeCloseTo(0.94, 10);
    expect(top).toBe(1);
  });

  it('pads by a tenth of the spread and rounds outwards to the tick step', () => {
    // Spread 0.4, padding 0.04: [0.46, 0.94] widened to the 0.1 step.
    expect(scoreDomain([0.5, 0.9], 'fitted', 5).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.4, 1]);
    // A single score still gets an axis around it.
    const [lo, hi] = scoreDomain([0.97], 'fitted', 5);
    expect(lo).toBeLessThan(0.97);
    expect(hi).toBeGreaterThan(0.97);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('stops at 0 for non-negative scores and extends below 0 for a negative held-out score', () => {
    expect(scoreDomain([0.01, 0.9], 'fitted', 5)[0]).toBe(0);
    const [bottom] = scoreDomain([-0.16, 0.95], 'fitted', 5);
    expect(bottom).toBeLessThan(-0.16);
  });

  it('ignores non-finite values and falls back to [0, 1] with nothing to fit', () => {
    expect(scoreDomain([], 'fitted', 5)).toEqual([0, 1]);
    expect(scoreDomain([Number.NaN], 'fitted', 5)).toEqual([0, 1]);
    // The least padding (0.005) on the 0.005 step.
    const [bottom, top] = scoreDomain([0.96, Number.NaN, 0.98], 'fitted', 5);
    expect(bottom).toBeCloseTo(0.955, 10);
    expect(top).toBeCloseTo(0.985, 10);
  });

  it('gives the whole range in full mode: 0 to 1, down to the tenth below a negative score', () => {
    expect(scoreDomain([0.953, 0.988], 'full', 5)).toEqual([0, 1]);
    expect(scoreDomain([-0.16, 0.95], 'full', 5)).toEqual([-0.2, 1]);
  });
});

describe('scoreTickFormat(domain, tickCount)', () => {
  it('writes as many decimals as the step needs and no trailing zeros', () => {
    const fine = scoreTickFormat([0.94, 1], 5);
    expect([0.94, 0.96, 1].map(fine)).toEqual(['0.94', '0.96', '1']);
    const coarse = scoreTickFormat([0, 1], 5);
    expect([0, 0.2, 1].map(coarse)).toEqual(['0', '0.2', '1']);
  });
});
