import { describe, expect, it } from 'vitest';
import { depthDifferences, nearestPair, pairDepth, valueAtDepth } from './depthAlignment';

describe('pairDepth', () => {
  it('puts each pair at the centre of its span of states', () => {
    expect([0, 1, 2, 3].map((l) => pairDepth(l, 4))).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect([0, 1].map((l) => pairDepth(l, 2))).toEqual([0.25, 0.75]);
  });
});

describe('nearestPair', () => {
  it('finds the pair whose centre is closest, ties to the shallower one', () => {
    expect(nearestPair(0.25, 4)).toBe(0); // halfway between 0.125 and 0.375
    expect(nearestPair(0.26, 4)).toBe(1);
    expect(nearestPair(0.875, 2)).toBe(1);
    expect(nearestPair(0, 12)).toBe(0);
    expect(nearestPair(1, 12)).toBe(11);
    for (let l = 0; l < 7; l++) expect(nearestPair(pairDepth(l, 7), 7)).toBe(l);
  });
});

describe('valueAtDepth', () => {
  const values = [0.9, 0.5, null, 0.7];
  it('reads a pair exactly at its own centre', () => {
    expect(valueAtDepth(values, 0.375)).toEqual({ value: 0.5, match: 'same-pair', pairs: [1] });
  });
  it('interpolates linearly between the two nearest centres', () => {
    // 0.25 is halfway between pair 0 (0.125) and pair 1 (0.375).
    const r = valueAtDepth(values, 0.25);
    expect(r.match).toBe('interpolated');
    expect(r.pairs).toEqual([0, 1]);
    expect(r.value).toBeCloseTo(0.7, 12);
    // A quarter of the way from pair 0 to pair 1.
    expect(valueAtDepth(values, 0.1875).value).toBeCloseTo(0.8, 12);
  });
  it('is null when a neighbour is null', () => {
    expect(valueAtDepth(values, 0.5)).toEqual({ value: null, match: 'interpolated', pairs: [1, 2] });
  });
  it('takes the end pair beyond the first and last centres', () => {
    expect(valueAtDepth(values, 0.05)).toEqual({ value: 0.9, match: 'nearest-end', pairs: [0] });
    expect(valueAtDepth(values, 0.95)).toEqual({ value: 0.7, match: 'nearest-end', pairs: [3] });
  });
});

describe('depthDifferences', () => {
  it('subtracts pair by pair when the depths agree', () => {
    const d = depthDifferences([0.9, 0.8, null], [0.95, 0.7, 0.6]);
    expect(d.map((x) => x.difference)).toEqual([0.95 - 0.9, 0.7 - 0.8, null]);
    expect(d.map((x) => x.match)).toEqual(['same-pair', 'same-pair', 'same-pair']);
    expect(d[2].other).toBe(0.6);
  });
  it('reads a shallower model at the deeper baseline’s depths', () => {
    // Baseline 4 pairs at 0.125..0.875; the other has 2 pairs at 0.25 and 0.75.
    const d = depthDifferences([0.9, 0.9, 0.9, 0.9], [0.5, 0.7]);
    expect(d.map((x) => x.match)).toEqual(['nearest-end', 'interpolated', 'interpolated', 'nearest-end']);
    expect(d[0].other).toBe(0.5);
    expect(d[1].other).toBeCloseTo(0.5 + 0.2 * 0.25, 12); // 0.375 is a quarter of the way from 0.25 to 0.75
    expect(d[2].other).toBeCloseTo(0.5 + 0.2 * 0.75, 12);
    expect(d[3].other).toBe(0.7);
    expect(d[1].difference).toBeCloseTo(0.55 - 0.9, 12);
    expect(d[1].otherPairs).toEqual([0, 1]);
  });
  it('reads a deeper model at the shallower baseline’s depths', () => {
    const d = depthDifferences([0.5, 0.6], [0.1, 0.2, 0.3, 0.4]);
    // 0.25 is halfway between pairs 0 and 1 of the 4-pair model; 0.75 between 2 and 3.
    expect(d[0].other).toBeCloseTo(0.15, 12);
    expect(d[1].other).toBeCloseTo(0.35, 12);
    expect(d[0].difference).toBeCloseTo(-0.35, 12);
    expect(d[1].difference).toBeCloseTo(-0.25, 12);
  });
  it('gives null where the baseline has no value', () => {
    expect(depthDifferences([null], [0.4])[0].difference).toBeNull();
  });
});
