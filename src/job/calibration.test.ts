import { describe, expect, it } from 'vitest';
import type { ReferenceFit, ReferenceMap } from '../analysis';
import { calibration } from './calibration';
import type { FittedReference } from './fittedReference';

const map = {} as ReferenceMap;
const fitted = (heldOut: (number | null)[]): FittedReference => ({
  fit: {
    d: 4,
    n: 40,
    excludedTokens: [],
    quantile: 0.99,
    pairs: [map, map, null],
    reasons: [],
  } as ReferenceFit,
  composition: {
    tokens: 40,
    quantile: 0.99,
    documents: 3,
    corpusDocuments: 5,
    sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
    heldOut: { tokens: 20, documents: 2 },
  },
  heldOutFlashRate: heldOut,
  seenIds: [10, 11, 12, 13],
});

/** 20 tokens; pair 0 flashes on `flashes0` of them, pair 1 on none. */
const flashes = (flashes0: number) => [
  Array.from({ length: 20 }, (_, t) => (t < flashes0 ? 1 : 0)),
  new Array(20).fill(0),
  new Array(20).fill(0),
];
const all = Array.from({ length: 20 }, (_, t) => t);

describe('calibration()', () => {
  it('gives the rates per pair and the share of token ids the reference never saw', () => {
    const ids = all.map((t) => (t < 15 ? 10 + (t % 4) : 20 + t)); // 4 seen ids, 5 unseen
    const c = calibration(fitted([0.01, 0.02, null]), flashes(4), all, ids);
    expect(c.nominalFlashRate).toBeCloseTo(0.01, 12);
    expect(c.flashRate).toEqual([0.2, 0, null]);
    expect(c.heldOutFlashRate).toEqual([0.01, 0.02, null]);
    expect(c.unseenTokenShare).toBeCloseTo(5 / 9, 12);
    expect(c.offReference).toBe(true);
  });

  it('does not warn on text like the reference, nor on fewer than 3 flashes, however unlike', () => {
    const seenOnly = all.map((t) => 10 + (t % 4));
    expect(calibration(fitted([0.01, 0.01, null]), flashes(4), all, seenOnly).offReference).toBe(false);
    const unseen = all.map((t) => 100 + t);
    expect(calibration(fitted([0.01, 0.01, null]), flashes(2), all, unseen).offReference).toBe(false);
    // 3 of 20 = 15% > 3 x max(1%, 4%) = 12%: far above; 3 of 20 against a held-out 6%: not.
    expect(calibration(fitted([0.04, 0.01, null]), flashes(3), all, unseen).offReference).toBe(true);
    expect(calibration(fitted([0.06, 0.01, null]), flashes(3), all, unseen).offReference).toBe(false);
  });

  it('counts only the kept tokens', () => {
    const ids = all.map((t) => 100 + t);
    const c = calibration(fitted([0.01, 0.01, null]), flashes(4), all.slice(10), ids);
    expect(c.flashRate).toEqual([0, 0, null]);
    expect(c.offReference).toBe(false);
  });
});
