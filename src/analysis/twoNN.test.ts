import { describe, expect, it } from 'vitest';
import { stateMatrix } from './hiddenStates';
import { matrix } from './matrix';
import { assertClose, gaussian, seededRandom } from './testing/asserts';
import { loadFixture } from './testing/fixture';
import { twoNN } from './twoNN';

describe('twoNN', () => {
  it('twoNN(X) of points filling a 2-D square embedded in 10-D is about 2', () => {
    const n = 1500;
    const u = seededRandom(3);
    const basis = gaussian(4, 20);
    const x = new Float64Array(n * 10);
    for (let i = 0; i < n; i++) {
      const a = u();
      const b = u();
      for (let f = 0; f < 10; f++) x[i * 10 + f] = a * basis[f] + b * basis[10 + f];
    }
    const id = twoNN(matrix(x, n, 10), undefined, { fitFraction: 0.9 }) as number;
    expect(Math.abs(id - 2)).toBeLessThan(0.2);
  });

  it('twoNN(X) equals a brute-force nearest-neighbour search across several 256-point blocks', () => {
    const n = 700;
    const d = 5;
    // Points on a coarse grid plus small noise, so many neighbour distances nearly tie.
    const u = seededRandom(9);
    const x = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) x[i] = Math.round(u() * 6) + 1e-3 * u();
    const r1 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    const r2 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let s = 0;
        for (let f = 0; f < d; f++) s += (x[i * d + f] - x[j * d + f]) ** 2;
        if (s < r1[i]) {
          r2[i] = r1[i];
          r1[i] = s;
        } else if (s < r2[i]) r2[i] = s;
      }
    const mu = Float64Array.from({ length: n }, (_, i) => Math.sqrt(r2[i]) / Math.sqrt(r1[i])).sort();
    const m = Math.floor(0.2 * n);
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < m; i++) {
      const lx = Math.log(mu[i]);
      const ly = -Math.log(1 - (i + 1) / n);
      sxy += lx * ly;
      sxx += lx * lx;
    }
    const want = sxy / sxx;
    assertClose(twoNN(matrix(x, n, d)), want, 1e-10 * want, 'twoNN');
  });

  it('twoNN(X) ignores exact duplicate tokens', () => {
    const base = gaussian(5, 200 * 3);
    const doubled = new Float64Array(400 * 3);
    doubled.set(base);
    doubled.set(base, 600);
    expect(twoNN(matrix(doubled, 400, 3))).toBe(twoNN(matrix(base, 200, 3)));
  });

  it('twoNN(X) is null with fewer than three distinct points', () => {
    expect(twoNN(matrix(Float64Array.from([1, 2, 1, 2, 3, 4]), 3, 2))).toBeNull();
  });

  for (const name of ['small', 'short', 'degenerate'] as const) {
    it(`twoNN(state) matches the numpy reference on the '${name}' fixture`, () => {
      const f = loadFixture(name);
      const h = f.states();
      const want = (f.doc.metrics.all as { states: { intrinsicDimension: number }[] }).states;
      for (let s = 0; s < h.states; s++)
        assertClose(twoNN(stateMatrix(h, s)), want[s].intrinsicDimension, 1e-9, `${s}`);
    });
  }
});
