import { describe, expect, it } from 'vitest';
import { largestEigenvalue } from './anisotropy';
import { centerColumns } from './center';
import { lowerInverse, rowNormsThrough } from './cholesky';
import { gram } from './gram';
import { fitPair } from './linearity';
import { linearMapFromFit, tokenResiduals } from './linearMap';
import { matrix } from './matrix';
import { gaussian } from './testing/asserts';
import { freshArrays, reusedArrays, type WorkArrays } from './workArrays';

describe('reusedArrays', () => {
  it('hands an array given back out again, zero-filled, for the same length only', () => {
    const arrays = reusedArrays();
    const a = arrays.zeros(6);
    a.fill(3);
    arrays.give(a);
    const other = arrays.zeros(5);
    expect(other).not.toBe(a);
    const again = arrays.zeros(6);
    expect(again).toBe(a);
    expect(Array.from(again)).toEqual([0, 0, 0, 0, 0, 0]);
    // Taken out, so the next request of that length gets a new one.
    expect(arrays.zeros(6)).not.toBe(a);
  });

  it('copyOf reuses an array of the source length and holds the source values', () => {
    const arrays = reusedArrays();
    const a = new Float64Array([9, 9, 9]);
    arrays.give(a);
    const copy = arrays.copyOf(new Float64Array([1, 2, 3]));
    expect(copy).toBe(a);
    expect(Array.from(copy)).toEqual([1, 2, 3]);
  });

  it('refuses an array given back twice, and never pools a view into a larger buffer', () => {
    const arrays = reusedArrays();
    const a = new Float64Array(4);
    arrays.give(a, null);
    expect(() => arrays.give(a)).toThrow(/given back twice/);
    const whole = new Float64Array(8);
    const view = whole.subarray(4);
    arrays.give(view);
    expect(arrays.zeros(4)).toBe(a);
    expect(arrays.zeros(4)).not.toBe(view);
  });

  it('freshArrays allocates every time', () => {
    const a = freshArrays.zeros(3);
    freshArrays.give(a);
    expect(freshArrays.zeros(3)).not.toBe(a);
    const source = new Float64Array([1, 2]);
    const copy = freshArrays.copyOf(source);
    expect(copy).not.toBe(source);
    expect(Array.from(copy)).toEqual([1, 2]);
  });
});

/** A pool that records how many arrays of each length a computation took (fresh ones). */
function recordingArrays(): WorkArrays & { readonly taken: Map<number, number> } {
  const taken = new Map<number, number>();
  const count = (length: number) => taken.set(length, (taken.get(length) ?? 0) + 1);
  return {
    taken,
    zeros: (length) => {
      count(length);
      return new Float64Array(length);
    },
    copyOf: (source) => {
      count(source.length);
      return new Float64Array(source);
    },
    give: () => {},
  };
}

/**
 * A pair's fit, map, residuals, leverages and (squared-matrix) top eigenvalue, every working array
 * from `arrays`: the chain the reference fit runs, on d = 150 so that the recursive factor and
 * solves split their blocks.
 */
function pairChain(arrays: WorkArrays): Float64Array[] {
  const n = 400;
  const d = 150;
  const xs = matrix(Float32Array.from(gaussian(11, n * d)), n, d);
  const noise = gaussian(12, n * d);
  const ys = matrix(
    Float32Array.from(xs.data, (v, i) => v + 0.5 * Math.tanh(v) + 0.1 * noise[i]),
    n,
    d,
  );
  const x = centerColumns(xs, undefined, arrays);
  const y = centerColumns(ys, undefined, arrays);
  const gxx = gram(x.centered, arrays);
  const fit = fitPair(x, gxx, y, arrays);
  const map = linearMapFromFit(fit, arrays);
  // Residuals and leverages as the fit makes them: block by block, the inverse from the pool.
  const inverse = lowerInverse(fit.factor, arrays);
  const norms = new Float64Array(n);
  const residual = tokenResiduals(map, xs, ys, undefined, arrays, (block, from, count) =>
    rowNormsThrough(inverse, d, block, count, norms, from, arrays),
  );
  arrays.give(inverse);
  // Nearly isotropic states: the power iteration goes on to the squarings.
  const iso = centerColumns(matrix(Float32Array.from(gaussian(13, n * d)), n, d), undefined, arrays);
  const top = largestEigenvalue(gram(iso.centered, arrays), arrays);
  return [fit.factor.factor.data, fit.zT.data, map.weights, residual, norms, new Float64Array([top])];
}

describe('working arrays reused by the analysis', () => {
  it('a pool of arrays holding garbage gives exactly the numbers of fresh arrays', () => {
    const recorded = recordingArrays();
    const fresh = pairChain(recorded);
    expect(recorded.taken.size).toBeGreaterThan(5);
    // Every length the chain asks for, as many times as it asks, filled with NaN and given back.
    const poisoned = reusedArrays();
    for (const [length, times] of recorded.taken) {
      for (let i = 0; i < times; i++) poisoned.give(new Float64Array(length).fill(Number.NaN));
    }
    const reused = pairChain(poisoned);
    for (const [i, values] of fresh.entries()) {
      expect(values.every(Number.isFinite)).toBe(true);
      expect(Array.from(reused[i])).toEqual(Array.from(values));
    }
  });
});
