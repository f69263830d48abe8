import { describe, expect, it } from 'vitest';
import type { ReferenceFit } from '../analysis';
import { contentHash, isFittedReference, isReferenceFit, MemoryFitStore } from './fitStore';
import type { FittedReference } from './fittedReference';

describe('contentHash()', () => {
  it('tells corpora apart by content, not by count or name', () => {
    expect(contentHash(['In the beginning'])).toBe(contentHash(['In the beginning']));
    expect(contentHash(['In the beginning'])).not.toBe(contentHash(['In the Beginning']));
    expect(contentHash(['ab'])).not.toBe(contentHash(['a', 'b']));
    expect(contentHash([])).toMatch(/^[0-9a-f]{14}$/);
  });
});

describe('MemoryFitStore', () => {
  it('returns what was put under the same key only', async () => {
    const store = new MemoryFitStore();
    const maps = { d: 4, n: 40, quantile: 0.99, pairs: [], reasons: [] } as unknown as ReferenceFit;
    const fit: FittedReference = {
      fit: maps,
      composition: {
        tokens: 40,
        quantile: 0.99,
        documents: 2,
        corpusDocuments: 3,
        sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
        heldOut: { tokens: 0, documents: 0 },
      },
      heldOutFlashRate: [],
      seenIds: [],
    };
    await store.put('k', fit);
    expect(await store.get('k')).toBe(fit);
    expect(await store.get('other')).toBeUndefined();
  });

  it('with a capacity, drops the least recently used fit, a read counting as a use', async () => {
    const store = new MemoryFitStore({ capacity: 2 });
    const fits = ['a', 'b', 'c'].map((name) => ({ name }) as unknown as FittedReference);
    await store.put('a', fits[0]);
    await store.put('b', fits[1]);
    expect(await store.get('a')).toBe(fits[0]);
    await store.put('c', fits[2]);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe(fits[0]);
    expect(await store.get('c')).toBe(fits[2]);
    await store.put('c', fits[0]);
    expect(await store.get('a')).toBe(fits[0]);
    store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    expect(() => new MemoryFitStore({ capacity: 0 })).toThrow(RangeError);
  });
});

/** A whole two-pair fit of width 2 (the second pair unfitted), as IndexedDB would hand it back. */
const d = 2;
const map = {
  d,
  n: 10,
  rank: 2,
  meanX: new Float64Array(d),
  meanY: new Float64Array(d),
  normX: 1,
  normY: 1,
  weights: new Float64Array(d * d),
};
const pair = { map, meanError: 0.1, threshold: 0.3, relativeThreshold: 3, unpredictable: 0 };

describe('isReferenceFit()', () => {
  const fit = { d, n: 10, excludedTokens: [], quantile: 0.99, pairs: [pair, null], reasons: [null, 'why'] };

  it('accepts a whole fit, unfitted pairs included', () => {
    expect(isReferenceFit(fit)).toBe(true);
  });

  it('refuses what IndexedDB may hold instead: wrong shapes, plain arrays, missing fields, junk', () => {
    expect(isReferenceFit(null)).toBe(false);
    expect(isReferenceFit('fit')).toBe(false);
    expect(isReferenceFit({ ...fit, d: 0 })).toBe(false);
    expect(isReferenceFit({ ...fit, pairs: [], reasons: [] })).toBe(false);
    expect(isReferenceFit({ ...fit, reasons: [null] })).toBe(false);
    expect(isReferenceFit({ ...fit, n: Number.NaN })).toBe(false);
    expect(
      isReferenceFit({ ...fit, pairs: [{ ...pair, map: { ...map, weights: new Float64Array(3) } }, null] }),
    ).toBe(false);
    expect(isReferenceFit({ ...fit, pairs: [{ ...pair, map: { ...map, meanX: [0, 0] } }, null] })).toBe(
      false,
    );
    expect(isReferenceFit({ ...fit, pairs: [{ ...pair, map: { ...map, d: 3 } }, null] })).toBe(false);
    expect(isReferenceFit({ ...fit, pairs: [{ ...pair, meanError: '0.1' }, null] })).toBe(false);
    expect(isReferenceFit({ ...fit, pairs: ['x', null] })).toBe(false);
  });
});

describe('isFittedReference()', () => {
  const maps = { d, n: 10, excludedTokens: [], quantile: 0.99, pairs: [pair, null], reasons: [null, 'why'] };
  const fitted = {
    fit: maps,
    composition: {
      tokens: 10,
      quantile: 0.99,
      documents: 2,
      corpusDocuments: 3,
      sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
      heldOut: { tokens: 4, documents: 1 },
    },
    heldOutFlashRate: [0.25, null],
    seenIds: [3, 9],
  };

  it('accepts a whole stored fit', () => {
    expect(isFittedReference(fitted)).toBe(true);
  });

  it('refuses a bare map set (the format before), and any missing or damaged part', () => {
    expect(isFittedReference(maps)).toBe(false);
    expect(isFittedReference({ ...fitted, fit: { ...maps, d: 0 } })).toBe(false);
    expect(isFittedReference({ ...fitted, composition: undefined })).toBe(false);
    expect(
      isFittedReference({
        ...fitted,
        composition: { ...fitted.composition, sampling: { rule: 'other', seed: 1, chunkTokens: 16 } },
      }),
    ).toBe(false);
    expect(isFittedReference({ ...fitted, heldOutFlashRate: [0.25] })).toBe(false);
    expect(isFittedReference({ ...fitted, heldOutFlashRate: ['x', null] })).toBe(false);
    expect(isFittedReference({ ...fitted, seenIds: [-1] })).toBe(false);
  });
});
