import { type Matrix64, zeros64 } from './matrix';

/**
 * Relative pivot below which a column counts as collinear with the columns before it: the share of
 * its own variance that the earlier columns leave unexplained. 1e-10 is far above float64 round-off
 * in the Gram matrix (about 1e-16 * condition) yet far below anything a float32 hidden state can
 * carry as real signal (float32 resolves about 1e-7 of a value, 1e-14 of its square).
 */
export const COLLINEAR_TOLERANCE = 1e-10;

/** Lower-triangular factor of a symmetric positive semi-definite matrix, with dropped columns. */
export interface CholeskyFactor {
  /** d x d lower-triangular L with L L^T = G on the kept columns; zero row and column where dropped. */
  readonly factor: Matrix64;
  /** Number of kept columns (the numerical rank of G). */
  readonly rank: number;
  /** Indices of columns dropped as collinear (or constant), ascending. */
  readonly dropped: Int32Array;
}

/**
 * Cholesky factorisation G = L L^T in float64 (row-oriented, so inner products run over contiguous
 * rows of L).
 *
 * Singular or ill-conditioned G (duplicate tokens, a dead feature, n barely above d) is handled
 * deliberately, not with a jitter: when column j's remaining pivot is at most `tolerance` times its
 * diagonal entry G_jj (or G_jj is 0), column j is a numerical linear combination of the kept earlier
 * columns, so it is dropped: its row and column of L are zero and solves give it zero weight. That is
 * least squares on the kept columns, which has the same fitted values (and therefore the same
 * linearity score) as the pseudo-inverse solution numpy's `lstsq` returns for exactly dependent
 * columns. The caller sees `rank` and `dropped` and can report them.
 */
export function cholesky(g: Matrix64, tolerance = COLLINEAR_TOLERANCE): CholeskyFactor {
  const d = g.rows;
  if (g.cols !== d) throw new RangeError(`cholesky: matrix is ${g.rows} x ${g.cols}, not square`);
  const out = zeros64(d, d);
  const l = out.data;
  const a = g.data;
  const keep = new Uint8Array(d);
  const dropped: number[] = [];
  for (let i = 0; i < d; i++) {
    const ri = i * d;
    for (let j = 0; j < i; j++) {
      if (!keep[j]) continue;
      const rj = j * d;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / l[rj + j];
    }
    let s = a[ri + i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * l[ri + k];
    const diag = a[ri + i];
    if (!(diag > 0) || !(s > tolerance * diag)) {
      // Collinear or constant column: drop it (zero row, so later columns ignore it too).
      for (let k = 0; k < i; k++) l[ri + k] = 0;
      dropped.push(i);
    } else {
      l[ri + i] = Math.sqrt(s);
      keep[i] = 1;
    }
  }
  return { factor: out, rank: d - dropped.length, dropped: Int32Array.from(dropped) };
}

/**
 * Solves L Z = B for Z (d x e) by forward substitution, in row-axpy form so the inner loop runs
 * over a contiguous row of length e. Rows of dropped columns get Z = 0.
 */
export function forwardSolve(f: CholeskyFactor, b: Matrix64): Matrix64 {
  const d = f.factor.rows;
  if (b.rows !== d)
    throw new RangeError(`forwardSolve: factor is ${d} x ${d}, right-hand side has ${b.rows} rows`);
  const e = b.cols;
  const l = f.factor.data;
  const z = new Float64Array(b.data);
  for (let i = 0; i < d; i++) {
    const zi = i * e;
    const pivot = l[i * d + i];
    if (pivot === 0) {
      z.fill(0, zi, zi + e);
      continue;
    }
    for (let k = 0; k < i; k++) {
      const lik = l[i * d + k];
      if (lik === 0) continue;
      const zk = k * e;
      for (let c = 0; c < e; c++) z[zi + c] -= lik * z[zk + c];
    }
    const inv = 1 / pivot;
    for (let c = 0; c < e; c++) z[zi + c] *= inv;
  }
  return { data: z, rows: d, cols: e };
}

/** Solves L^T W = Z for W (d x e) by back substitution; rows of dropped columns get W = 0. */
export function backSolve(f: CholeskyFactor, z: Matrix64): Matrix64 {
  const d = f.factor.rows;
  if (z.rows !== d)
    throw new RangeError(`backSolve: factor is ${d} x ${d}, right-hand side has ${z.rows} rows`);
  const e = z.cols;
  const l = f.factor.data;
  const w = new Float64Array(z.data);
  for (let i = d - 1; i >= 0; i--) {
    const wi = i * e;
    const pivot = l[i * d + i];
    if (pivot === 0) {
      w.fill(0, wi, wi + e);
      continue;
    }
    const inv = 1 / pivot;
    for (let c = 0; c < e; c++) w[wi + c] *= inv;
    // Row i of W is final: remove its contribution from the rows above (column i of L^T = row i of L).
    for (let k = 0; k < i; k++) {
      const lik = l[i * d + k];
      if (lik === 0) continue;
      const wk = k * e;
      for (let c = 0; c < e; c++) w[wk + c] -= lik * w[wi + c];
    }
  }
  return { data: w, rows: d, cols: e };
}
