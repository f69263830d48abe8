import { describe, expect, it } from 'vitest';
import { analyzeLayers } from './analyzeLayers';
import { contiguousPairRuns, mergeLayerAnalyses, mergeReferenceFits } from './mergeLayerAnalyses';
import { fitReferenceMaps } from './perTokenNonlinearity';
import { loadFixture } from './testing/fixture';

describe('mergeLayerAnalyses', () => {
  it('mergeLayerAnalyses(parts by pairs) equals the full run, per-token rows included', () => {
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const options = { reference, intrinsicDimension: true } as const;
    const full = analyzeLayers(f.states(), options);
    // Out of order on purpose: the later pairs' part first, as a faster worker would deliver it.
    const parts = [
      analyzeLayers(f.states(), { ...options, pairs: [1, 2] }),
      analyzeLayers(f.states(), { ...options, pairs: [0] }),
    ];
    const merged = mergeLayerAnalyses(parts, 3);
    expect(merged.layers).toEqual(full.layers);
    expect(merged.states).toEqual(full.states);
    expect(merged.states.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(merged.excludedTokens).toEqual(full.excludedTokens);
    for (let l = 0; l < 3; l++) {
      expect(Array.from(merged.perToken?.relative[l] ?? [])).toEqual(
        Array.from(full.perToken?.relative[l] ?? []),
      );
      expect(Array.from(merged.perToken?.raw[l] ?? [])).toEqual(Array.from(full.perToken?.raw[l] ?? []));
      expect(Array.from(merged.perToken?.flash[l] ?? [])).toEqual(Array.from(full.perToken?.flash[l] ?? []));
    }
  });

  it('mergeLayerAnalyses refuses a missing pair, a pair scored twice and mixed per-token parts', () => {
    const f = loadFixture('small');
    const a = analyzeLayers(f.states(), { pairs: [0, 1] });
    const b = analyzeLayers(f.states(), { pairs: [1, 2] });
    expect(() => mergeLayerAnalyses([a], 3)).toThrow('pairs 2 missing');
    expect(() => mergeLayerAnalyses([a, b], 3)).toThrow('pair 1 scored by two parts');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const c = analyzeLayers(f.states(), { reference, pairs: [2] });
    expect(() => mergeLayerAnalyses([a, c], 3)).toThrow('only some parts have per-token values');
    expect(() => mergeLayerAnalyses([], 3)).toThrow('no parts');
  });
});

describe('mergeReferenceFits', () => {
  it('fitReferenceMaps(states, {pairs}) parts merge into exactly the full fit', () => {
    const f = loadFixture('small');
    const ref = f.states('reference_states');
    const full = fitReferenceMaps(ref, { excludeBos: true });
    const later = fitReferenceMaps(ref, { excludeBos: true, pairs: [1, 2] });
    expect(later.pairs[0]).toBeNull();
    expect(later.reasons[0]).toBe('not fitted here');
    expect(later.pairs[2]).toEqual(full.pairs[2]);
    const merged = mergeReferenceFits([later, fitReferenceMaps(ref, { excludeBos: true, pairs: [0] })]);
    expect(merged).toEqual(full);
  });

  it('mergeReferenceFits refuses a pair fitted twice or by nobody, and parts of different settings', () => {
    const f = loadFixture('small');
    const ref = f.states('reference_states');
    const a = fitReferenceMaps(ref, { pairs: [0, 1] });
    expect(() => mergeReferenceFits([a])).toThrow('pair 2 fitted by 0 parts');
    expect(() => mergeReferenceFits([a, fitReferenceMaps(ref, { pairs: [1, 2] })])).toThrow(
      'pair 1 fitted by 2',
    );
    expect(() => mergeReferenceFits([a, fitReferenceMaps(ref, { pairs: [2], quantile: 0.9 })])).toThrow(
      'different data or settings',
    );
    expect(() => fitReferenceMaps(ref, { pairs: [3] })).toThrow('pair 3 outside 0..2');
  });
});

describe('contiguousPairRuns', () => {
  it('contiguousPairRuns(L, parts) covers 0..L-1 once in near-equal runs, never more runs than pairs', () => {
    expect(contiguousPairRuns(12, 2)).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ]);
    expect(contiguousPairRuns(7, 3)).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(contiguousPairRuns(2, 8)).toEqual([[0], [1]]);
    expect(contiguousPairRuns(5, 1)).toEqual([[0, 1, 2, 3, 4]]);
    expect(contiguousPairRuns(5, 0)).toEqual([[0, 1, 2, 3, 4]]);
  });
});
