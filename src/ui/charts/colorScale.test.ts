import { interpolateCividis, quantile, rgb } from 'd3';
import { describe, expect, it } from 'vitest';
import { logTicks, perTokenColorScale, relativeColorScale } from './colorScale';
import { loadExampleResult } from './exampleResult.testing';

const result = loadExampleResult();
const pt = result.perToken!;

describe('perTokenColorScale(perToken)', () => {
  const scale = perTokenColorScale(pt);
  const values = pt.nonlinearity.flat().filter((v): v is number => v !== null);

  it('spans the 1% quantile to the larger of the 99% quantile and the highest flash threshold', () => {
    const lo = quantile(values, 0.01)!;
    const hi = Math.max(quantile(values, 0.99)!, ...pt.flashThreshold.map((v) => v!));
    expect(scale.domain).toEqual([lo, hi]);
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(6.9714385989981995 - 1e-12);
  });

  it('places a value on the Cividis ramp by log(value)', () => {
    const [lo, hi] = scale.domain;
    const t = (Math.log(1) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
    expect(scale.t(1)).toBeCloseTo(t, 12);
    expect(scale.color(1)).toBe(interpolateCividis(t));
    // Log scale: the geometric mean of the ends sits half-way.
    expect(scale.t(Math.sqrt(lo * hi))).toBeCloseTo(0.5, 12);
  });

  it('clamps values past the ends (and non-positive ones) to the end colours', () => {
    expect(scale.color(1000)).toBe(interpolateCividis(1));
    expect(scale.color(pt.nonlinearity[0][0]! / 1e6)).toBe(interpolateCividis(0));
    expect(scale.t(0)).toBe(0);
    expect(scale.index(1000)).toBe(255);
  });

  it('is shared: the same perToken gives the same scale object', () => {
    expect(perTokenColorScale(pt)).toBe(scale);
  });

  it('picks black or white text on every ramp colour with at least 4.5:1 contrast', () => {
    expect(scale.lightBackground[0]).toBe(false);
    expect(scale.lightBackground[255]).toBe(true);
    const luminance = (c: string) => {
      const { r, g, b } = rgb(c);
      const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    for (const [i, c] of scale.lut.entries()) {
      const l = luminance(c);
      const contrast = scale.lightBackground[i] ? (l + 0.05) / 0.05 : 1.05 / (l + 0.05);
      expect(contrast, `ramp colour ${i} ${c}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('relativeColorScale(values, thresholds)', () => {
  it('keeps 1 inside the domain even when every value is above it', () => {
    const s = relativeColorScale([2, 3, 4, 5], [4.5]);
    expect(s.domain[0]).toBe(1);
    // The 99% quantile of 2..5 (4.97) is above the threshold 4.5, so it is the bright end.
    expect(s.domain[1]).toBeCloseTo(4.97, 12);
  });

  it('raises the bright end to a flash threshold above the 99% quantile', () => {
    expect(relativeColorScale([0.5, 1, 2], [9]).domain[1]).toBe(9);
  });

  it('falls back to [0.1, 10] with no values', () => {
    expect(relativeColorScale([]).domain).toEqual([0.1, 10]);
  });
});

describe('logTicks(lo, hi)', () => {
  it('gives powers of ten, with 3x steps when too few', () => {
    expect(logTicks(0.05, 22)).toEqual([0.1, 1, 10]);
    expect(logTicks(0.5, 8)).toEqual([1, 3]);
  });
});
