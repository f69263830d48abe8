import { describe, expect, it } from 'vitest';
import { backSolve, cholesky, forwardSolve } from './cholesky';
import { gram } from './gram';
import { asFeatureMajor, type Matrix64, matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';

function spd(d: number, n: number, seed: number): Matrix64 {
  return gram(asFeatureMajor(matrix(gaussian(seed, d * n), d, n)));
}

function times(a: Matrix64, b: Matrix64): Float64Array {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++)
      for (let k = 0; k < a.cols; k++) out[i * b.cols + j] += a.data[i * a.cols + k] * b.data[k * b.cols + j];
  return out;
}

describe('cholesky', () => {
  it('cholesky(G) gives a lower-triangular L with L L^T = G', () => {
    const g = spd(9, 40, 7);
    const f = cholesky(g);
    expect(f.rank).toBe(9);
    expect(f.dropped.length).toBe(0);
    const l = f.factor;
    for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) expect(l.data[i * 9 + j]).toBe(0);
    const lt = matrix(new Float64Array(81), 9, 9);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) lt.data[i * 9 + j] = l.data[j * 9 + i];
    assertClose(times(l, lt), g.data, 1e-10, 'LL^T');
  });

  it('forwardSolve and backSolve solve G W = B', () => {
    const g = spd(6, 30, 8);
    const b = matrix(gaussian(9, 12), 6, 2);
    const f = cholesky(g);
    const w = backSolve(f, forwardSolve(f, b));
    assertClose(times(g, w), b.data, 1e-10, 'GW');
  });

  it('cholesky(G) drops a column that is a multiple of an earlier one, and a constant (zero) column', () => {
    const n = 30;
    const d = 5;
    const x = gaussian(10, d * n);
    for (let k = 0; k < n; k++) {
      x[3 * n + k] = -2 * x[1 * n + k];
      x[4 * n + k] = 0;
    }
    const f = cholesky(gram(asFeatureMajor(matrix(x, d, n))));
    expect(f.rank).toBe(3);
    expect(Array.from(f.dropped)).toEqual([3, 4]);
    for (let j = 0; j < d; j++) {
      expect(f.factor.data[3 * d + j]).toBe(0);
      expect(f.factor.data[j * d + 3]).toBe(0);
    }
  });

  it('cholesky throws with the shape when the matrix is not square', () => {
    expect(() => cholesky(matrix(new Float64Array(6), 2, 3))).toThrow('2 x 3');
  });
});
