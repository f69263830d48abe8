import { describe, expect, it } from 'vitest';
import { cholesky, solvedRowNorms, solveLowerRows, solveUpperRows } from './cholesky';
import { gram } from './gram';
import { asFeatureMajor, type Matrix64, matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';

function spd(d: number, n: number, seed: number): Matrix64 {
  return gram(asFeatureMajor(matrix(gaussian(seed, d * n), d, n)));
}

function transpose(m: Matrix64): Matrix64 {
  const out = matrix(new Float64Array(m.rows * m.cols), m.cols, m.rows);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
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

  // d = 150 is split twice (80 + 70, then 48-column leaves), so the off-diagonal products are exercised.
  for (const d of [6, 150]) {
    it(`solveLowerRows then solveUpperRows solve G w = b for each row b (d = ${d})`, () => {
      const g = spd(d, 2 * d, 8);
      const e = 5;
      const rows = matrix(gaussian(9, e * d), e, d);
      const f = cholesky(g);
      const z = solveLowerRows(f, rows);
      // L z_r = b_r
      const lz = times(matrix(z.data, e, d), transpose(f.factor));
      assertClose(lz, rows.data, 1e-9, 'Lz');
      const w = solveUpperRows(f, z);
      // G w_r = b_r, i.e. W G = B as G is symmetric
      assertClose(times(matrix(w.data, e, d), g), rows.data, 1e-8 * d, 'Gw');
    });
  }

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

  it('cholesky(G) drops collinear columns in later blocks of the recursion too and matches the unpivoted factor elsewhere', () => {
    const n = 400;
    const d = 150;
    const x = gaussian(11, d * n);
    for (let k = 0; k < n; k++) {
      x[100 * n + k] = 0.5 * x[3 * n + k] - x[90 * n + k];
      x[149 * n + k] = 0;
    }
    const g = gram(asFeatureMajor(matrix(x, d, n)));
    const f = cholesky(g);
    expect(f.rank).toBe(148);
    expect(Array.from(f.dropped)).toEqual([100, 149]);
    // On the kept columns L L^T reproduces G.
    const llt = times(f.factor, transpose(f.factor));
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (i === 100 || j === 100 || i === 149 || j === 149) continue;
        const want = g.data[i * d + j];
        expect(Math.abs(llt[i * d + j] - want)).toBeLessThan(
          1e-9 * Math.sqrt(g.data[i * d + i] * g.data[j * d + j]),
        );
      }
    }
  });

  it('solvedRowNorms(f, B) is ||L^{-1} b||^2 of each row, dropped columns ignored as in a solve', () => {
    const n = 300;
    const d = 90;
    const x = gaussian(12, d * n);
    for (let k = 0; k < n; k++) x[70 * n + k] = 3 * x[20 * n + k];
    const f = cholesky(gram(asFeatureMajor(matrix(x, d, n))));
    expect(Array.from(f.dropped)).toEqual([70]);
    const e = 41;
    const rows = gaussian(13, e * d);
    // Each row solved on its own (L z = b, checked above), then its squared norm.
    const z = solveLowerRows(f, matrix(rows, e, d)).data;
    const want = new Float64Array(e);
    for (let k = 0; k < e; k++) for (let j = 0; j < d; j++) want[k] += z[k * d + j] ** 2;
    assertClose(solvedRowNorms(f, rows, e), want, 1e-10, 'norms');
    expect(() => solvedRowNorms(f, rows, e + 1)).toThrow('not 42 rows of d = 90');
  });

  it('cholesky throws with the shape when the matrix is not square', () => {
    expect(() => cholesky(matrix(new Float64Array(6), 2, 3))).toThrow('2 x 3');
  });
});
