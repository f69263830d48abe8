import { describe, expect, it } from 'vitest';
import { fitReferenceMaps, perTokenNonlinearity } from './perTokenNonlinearity';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';

interface PerTokenRef {
  raw: number[][];
  relative: number[][];
  flash: number[][];
}

describe('fitReferenceMaps', () => {
  for (const name of ['small', 'short'] as const) {
    it(`fitReferenceMaps(reference) matches numpy's leave-one-out mean error and 99th percentile ('${name}')`, () => {
      const f = loadFixture(name);
      const fit = fitReferenceMaps(f.states('reference_states'));
      const want = f.doc.metrics.reference as { meanError: number; threshold: number }[];
      expect(fit.pairs.length).toBe(want.length);
      fit.pairs.forEach((p, l) => {
        expect(p).not.toBeNull();
        assertClose(p?.meanError ?? null, want[l].meanError, 1e-9 * want[l].meanError, `mean ${l}`);
        assertClose(p?.threshold ?? null, want[l].threshold, 1e-9 * want[l].threshold, `threshold ${l}`);
        expect(p?.unpredictable).toBe(0);
      });
      expect(fit.quantile).toBe(0.99);
    });
  }

  it('fitReferenceMaps(states) gives null maps with a reason when the reference has n <= d', () => {
    const f = loadFixture('short');
    const fit = fitReferenceMaps(f.states());
    expect(fit.pairs).toEqual([null, null]);
    expect(fit.reasons[0]).toContain('20 tokens for 32 features');
  });

  it('fitReferenceMaps(reference, {excludeBos, excludeMassive}) fits without the sinks of each chunk', () => {
    const f = loadFixture('small');
    const ref = f.states('reference_states');
    const massive = fitReferenceMaps(ref, { excludeMassive: true });
    // Four chunks of 100 tokens, each with BOS at 0 and the sink token (id 7) at 5; id 7 also
    // occurs elsewhere by chance and sinks there too.
    expect(massive.excludedTokens).toEqual(expect.arrayContaining([0, 5, 100, 105, 200, 205, 300, 305]));
    expect(massive.excludedTokens.length).toBeLessThan(20);
    expect(massive.n).toBe(400 - massive.excludedTokens.length);
    const bos = fitReferenceMaps(ref, { excludeBos: true });
    expect(bos.excludedTokens).toEqual([0]);
    expect(fitReferenceMaps(ref).excludedTokens).toEqual([]);
    // Without the sinks, the typical error of pair 0 is far smaller than with them.
    const all = fitReferenceMaps(ref);
    expect(massive.pairs[0]?.meanError ?? 1).toBeLessThan(0.2 * (all.pairs[0]?.meanError ?? 0));
  });

  it('fitReferenceMaps(states) survives structuredClone (plain numbers and typed arrays only)', () => {
    const f = loadFixture('small');
    const fit = fitReferenceMaps(f.states('reference_states'));
    const copy = structuredClone(fit);
    expect(copy.pairs[0]?.map.weights).toBeInstanceOf(Float64Array);
    expect(copy.pairs[0]?.map.weights.length).toBe(24 * 24);
    const a = perTokenNonlinearity(fit, f.states()).relative;
    const b = perTokenNonlinearity(copy, f.states()).relative;
    expect(b).toEqual(a);
  });
});

describe('perTokenNonlinearity', () => {
  for (const name of ['small', 'short'] as const) {
    it(`perTokenNonlinearity(fit, states) matches numpy's out-of-sample errors, units and flashes ('${name}')`, () => {
      const f = loadFixture(name);
      const fit = fitReferenceMaps(f.states('reference_states'));
      const got = perTokenNonlinearity(fit, f.states());
      const want = f.doc.metrics.perToken as PerTokenRef;
      for (let l = 0; l < want.raw.length; l++) {
        const scale = Math.max(...want.raw[l]);
        assertClose(got.raw[l], want.raw[l], 1e-9 * scale, `raw ${l}`);
        assertClose(got.relative[l], want.relative[l], 1e-9 * Math.max(...want.relative[l]), `relative ${l}`);
        expect(Array.from(got.flash[l])).toEqual(want.flash[l]);
      }
    });
  }

  it("perTokenNonlinearity on 'small' flags the BOS sink in pair 0 at about 70 times the typical error", () => {
    const f = loadFixture('small');
    const got = perTokenNonlinearity(fitReferenceMaps(f.states('reference_states')), f.states());
    const row = got.relative[0];
    expect(row[0]).toBeGreaterThan(50);
    expect(got.flash[0][0]).toBe(1);
    const others = Array.from(row.subarray(1)).sort((a, b) => a - b);
    expect(others[Math.floor(others.length / 2)]).toBeLessThan(2);
  });

  it('perTokenNonlinearity throws with both shapes when the reference does not fit the states', () => {
    const small = loadFixture('small');
    const short = loadFixture('short');
    const fit = fitReferenceMaps(small.states('reference_states'));
    expect(() => perTokenNonlinearity(fit, short.states())).toThrow(
      '3 pairs of d = 24, states have 2 pairs of d = 32',
    );
  });
});
