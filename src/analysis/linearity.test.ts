import { describe, expect, it } from 'vitest';
import { chanceFloor } from './chanceFloor';
import { stateMatrix } from './hiddenStates';
import { linearityScore } from './linearity';
import { matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';
import { loadFixture } from './testing/fixture';

interface PairRef {
  linearity: number | null;
  linearityNoResidual: number | null;
  n: number;
  d: number;
  rank: number | null;
  chanceFloor: number | null;
}

function difference(y: Float32Array, x: Float32Array): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] - x[i];
  return out;
}

describe('linearityScore', () => {
  it('linearityScore(X, Y) is 1 when Y = XA + b exactly', () => {
    const n = 80;
    const d = 10;
    const x = gaussian(1, n * d);
    const a = gaussian(2, d * d);
    const y = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let s = 3 + j;
        for (let k = 0; k < d; k++) s += x[i * d + k] * a[k * d + j];
        y[i * d + j] = s;
      }
    const r = linearityScore(matrix(x, n, d), matrix(y, n, d));
    assertClose(r.score, 1, 1e-12, 'score');
    expect(r.reason).toBeNull();
    expect(r.chanceFloor).toBeCloseTo(10 / 79, 15);
  });

  it('linearityScore(X, Y) of independent Gaussian data averages d / (n - 1)', () => {
    const n = 200;
    const d = 20;
    const scores: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const r = linearityScore(
        matrix(gaussian(100 + seed, n * d), n, d),
        matrix(gaussian(900 + seed, n * d), n, d),
      );
      scores.push(r.score as number);
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    // The null distribution of this R^2 has mean d/(n-1) = 0.1005 and sd about 0.009 per draw, so
    // the mean of 40 draws lies within 0.005 of it with overwhelming probability.
    expect(Math.abs(mean - d / (n - 1))).toBeLessThan(0.005);
    expect(Math.min(...scores)).toBeGreaterThan(0.05);
  });

  it('linearityScore(X, Y) is null with the numbers in the reason when n <= d', () => {
    const r = linearityScore(matrix(gaussian(1, 12 * 16), 12, 16), matrix(gaussian(2, 12 * 16), 12, 16));
    expect(r.score).toBeNull();
    expect(r.chanceFloor).toBeNull();
    expect(r.reason).toBe(
      'n <= d: 12 tokens for 16 features; a least-squares map can interpolate that many tokens, so the score measures nothing',
    );
    const edge = linearityScore(matrix(gaussian(1, 16 * 16), 16, 16), matrix(gaussian(2, 16 * 16), 16, 16));
    expect(edge.score).toBeNull();
  });

  it('linearityScore(X, Y) is null when the distinct tokens are too few for the rank', () => {
    // 40 rows, but only 6 distinct ones in 8 dimensions: an interpolating fit.
    const base = gaussian(3, 6 * 8);
    const x = new Float64Array(40 * 8);
    for (let i = 0; i < 40; i++) x.set(base.subarray((i % 6) * 8, (i % 6) * 8 + 8), i * 8);
    const r = linearityScore(matrix(x, 40, 8), matrix(x.map(Math.tanh), 40, 8));
    expect(r.score).toBeNull();
    expect(r.reason).toBe(
      'only 6 distinct tokens for a rank-5 fit; a least-squares map can interpolate them, so the score measures nothing',
    );
  });

  it('linearityScore(X, Y) throws with both shapes when they differ', () => {
    expect(() =>
      linearityScore(matrix(new Float64Array(6), 3, 2), matrix(new Float64Array(8), 4, 2)),
    ).toThrow('3 x 2 vs 4 x 2');
  });

  for (const name of ['small', 'degenerate'] as const) {
    it(`linearityScore matches numpy lstsq on the '${name}' fixture to 1e-9, with and without the residual`, () => {
      const f = loadFixture(name);
      const h = f.states();
      const want = (f.doc.metrics.all as { layers: PairRef[] }).layers;
      for (let l = 0; l < h.states - 1; l++) {
        const x = stateMatrix(h, l);
        const y = stateMatrix(h, l + 1);
        const r = linearityScore(x, y);
        assertClose(r.score, want[l].linearity, 1e-9, `${name} pair ${l}`);
        expect(r.rank).toBe(want[l].rank);
        assertClose(r.chanceFloor, want[l].chanceFloor, 1e-15, `${name} floor ${l}`);
        const u = linearityScore(
          x,
          matrix(difference(y.data as Float32Array, x.data as Float32Array), h.tokens, h.hidden),
        );
        assertClose(u.score, want[l].linearityNoResidual, 1e-9, `${name} no-residual pair ${l}`);
      }
    });
  }
});

describe('chanceFloor', () => {
  it('chanceFloor(n, d) is d / (n - 1) and null once the fit can interpolate', () => {
    expect(chanceFloor(13764, 768)).toBeCloseTo(0.0558, 4);
    expect(chanceFloor(101, 10)).toBe(0.1);
    expect(chanceFloor(11, 10)).toBeNull();
    expect(chanceFloor(10, 10)).toBeNull();
  });
});
