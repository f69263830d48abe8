import { dot, multiplyTransposed } from './gram';
import { type Matrix64, transposed } from './matrix';

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
 * Cholesky factorisation G = L L^T in float64, blocked (left-looking, 32-column panels): the
 * contribution of all earlier panels to a panel is one product through the Gram kernel, and only
 * the inner 32-wide part is done with scalar dot products.
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
  const a = g.data;
  const l = new Float64Array(a);
  const dropped: number[] = [];
  const tmp = new Float64Array(d * FACTOR_BLOCK);
  for (let b0 = 0; b0 < d; b0 += FACTOR_BLOCK) {
    const b1 = Math.min(d, b0 + FACTOR_BLOCK);
    const w = b1 - b0;
    if (b0 > 0) {
      // Panel update: A[b0:d, b0:b1] -= L[b0:d, 0:b0] L[b0:b1, 0:b0]^T (lower part only).
      const m = d - b0;
      tmp.fill(0, 0, m * w);
      multiplyTransposed(l, l, tmp, m, w, b0, false, b0 * d, d, b0 * d, d, 0, w);
      for (let r = 0; r < m; r++) {
        const row = (b0 + r) * d + b0;
        const cEnd = Math.min(w, r + 1);
        for (let c = 0; c < cEnd; c++) l[row + c] -= tmp[r * w + c];
      }
    }
    for (let j = b0; j < b1; j++) {
      const rj = j * d;
      const s = l[rj + j] - dot(l, rj + b0, l, rj + b0, j - b0);
      const diag = a[rj + j];
      if (!(diag > 0) || !(s > tolerance * diag)) {
        // Collinear or constant column: drop it (zero row and column).
        l.fill(0, rj, rj + j + 1);
        for (let i = j + 1; i < d; i++) l[i * d + j] = 0;
        dropped.push(j);
        continue;
      }
      const pivot = Math.sqrt(s);
      l[rj + j] = pivot;
      for (let i = j + 1; i < d; i++) {
        const ri = i * d;
        l[ri + j] = (l[ri + j] - dot(l, ri + b0, l, rj + b0, j - b0)) / pivot;
      }
    }
  }
  for (let i = 0; i < d; i++) l.fill(0, i * d + i + 1, (i + 1) * d);
  return {
    factor: { data: l, rows: d, cols: d },
    rank: d - dropped.length,
    dropped: Int32Array.from(dropped),
  };
}

/** Panel width of the blocked factorisation. */
const FACTOR_BLOCK = 32;

/** Column block of the blocked row solves: the off-diagonal part goes through the Gram kernel. */
const SOLVE_BLOCK = 64;

/**
 * Solves L z = b for every row b of `rows` (e x d) and returns the solutions as rows (e x d): the
 * transpose of L^{-1} B for B = rows^T. Blocked: for each block of 64 unknowns, the contribution of
 * the unknowns already solved is one C -= A B^T product through the Gram kernel, and only the
 * 64 x 64 diagonal block is substituted element by element. Unknowns of dropped columns are 0.
 */
export function solveLowerRows(f: CholeskyFactor, rows: Matrix64): Matrix64 {
  const d = f.factor.rows;
  if (rows.cols !== d)
    throw new RangeError(`solveLowerRows: factor is ${d} x ${d}, rows have ${rows.cols} columns`);
  const e = rows.rows;
  const l = f.factor.data;
  const z = new Float64Array(rows.data);
  const tmp = new Float64Array(e * SOLVE_BLOCK);
  for (let b0 = 0; b0 < d; b0 += SOLVE_BLOCK) {
    const b1 = Math.min(d, b0 + SOLVE_BLOCK);
    const w = b1 - b0;
    if (b0 > 0) {
      // tmp (e x w) = Z[:, 0:b0] L[b0:b1, 0:b0]^T
      tmp.fill(0);
      multiplyTransposed(z, l, tmp, e, w, b0, false, 0, d, b0 * d, d, 0, w);
      for (let r = 0; r < e; r++) for (let c = 0; c < w; c++) z[r * d + b0 + c] -= tmp[r * w + c];
    }
    substituteLower(l, z, d, e, b0, b1);
  }
  return { data: z, rows: e, cols: d };
}

/**
 * Solves L^T w = z for every row z of `rows` (e x d) and returns the solutions as rows: the
 * transpose of L^{-T} Z. Same blocking as `solveLowerRows`, walking the blocks from the last one,
 * with L^T formed once so that the kernel reads contiguous rows.
 */
export function solveUpperRows(f: CholeskyFactor, rows: Matrix64): Matrix64 {
  const d = f.factor.rows;
  if (rows.cols !== d)
    throw new RangeError(`solveUpperRows: factor is ${d} x ${d}, rows have ${rows.cols} columns`);
  const e = rows.rows;
  const l = f.factor.data;
  // L's upper triangle is zero (cholesky clears it), so its plain transpose is L^T.
  const lt = transposed(l, d, d);
  const w = new Float64Array(rows.data);
  const tmp = new Float64Array(e * SOLVE_BLOCK);
  const last = Math.floor((d - 1) / SOLVE_BLOCK) * SOLVE_BLOCK;
  for (let b0 = last; b0 >= 0; b0 -= SOLVE_BLOCK) {
    const b1 = Math.min(d, b0 + SOLVE_BLOCK);
    const width = b1 - b0;
    if (b1 < d) {
      // tmp (e x width) = W[:, b1:d] (L^T)[b0:b1, b1:d]^T
      tmp.fill(0);
      multiplyTransposed(w, lt, tmp, e, width, d - b1, false, b1, d, b0 * d + b1, d, 0, width);
      for (let r = 0; r < e; r++) for (let c = 0; c < width; c++) w[r * d + b0 + c] -= tmp[r * width + c];
    }
    substituteUpper(l, lt, w, d, e, b0, b1);
  }
  return { data: w, rows: e, cols: d };
}

/**
 * Forward substitution inside the diagonal block [b0, b1) for every row of z, four rows at a time
 * so that four independent sums hide the floating-point latency.
 */
function substituteLower(
  l: Float64Array,
  z: Float64Array,
  d: number,
  e: number,
  b0: number,
  b1: number,
): void {
  let r = 0;
  for (; r + 3 < e; r += 4) {
    const z0 = r * d;
    const z1 = z0 + d;
    const z2 = z1 + d;
    const z3 = z2 + d;
    for (let i = b0; i < b1; i++) {
      const li = i * d;
      const pivot = l[li + i];
      if (pivot === 0) {
        z[z0 + i] = 0;
        z[z1 + i] = 0;
        z[z2 + i] = 0;
        z[z3 + i] = 0;
        continue;
      }
      let s0 = z[z0 + i];
      let s1 = z[z1 + i];
      let s2 = z[z2 + i];
      let s3 = z[z3 + i];
      for (let k = b0; k < i; k++) {
        const lk = l[li + k];
        s0 -= lk * z[z0 + k];
        s1 -= lk * z[z1 + k];
        s2 -= lk * z[z2 + k];
        s3 -= lk * z[z3 + k];
      }
      z[z0 + i] = s0 / pivot;
      z[z1 + i] = s1 / pivot;
      z[z2 + i] = s2 / pivot;
      z[z3 + i] = s3 / pivot;
    }
  }
  for (; r < e; r++) {
    const zr = r * d;
    for (let i = b0; i < b1; i++) {
      const pivot = l[i * d + i];
      if (pivot === 0) {
        z[zr + i] = 0;
        continue;
      }
      let s = z[zr + i];
      for (let k = b0; k < i; k++) s -= l[i * d + k] * z[zr + k];
      z[zr + i] = s / pivot;
    }
  }
}

/** Back substitution inside the diagonal block [b0, b1) for every row of w, four rows at a time. */
function substituteUpper(
  l: Float64Array,
  lt: Float64Array,
  w: Float64Array,
  d: number,
  e: number,
  b0: number,
  b1: number,
): void {
  let r = 0;
  for (; r + 3 < e; r += 4) {
    const w0 = r * d;
    const w1 = w0 + d;
    const w2 = w1 + d;
    const w3 = w2 + d;
    for (let i = b1 - 1; i >= b0; i--) {
      const pivot = l[i * d + i];
      if (pivot === 0) {
        w[w0 + i] = 0;
        w[w1 + i] = 0;
        w[w2 + i] = 0;
        w[w3 + i] = 0;
        continue;
      }
      const li = i * d;
      let s0 = w[w0 + i];
      let s1 = w[w1 + i];
      let s2 = w[w2 + i];
      let s3 = w[w3 + i];
      for (let k = i + 1; k < b1; k++) {
        const lk = lt[li + k];
        s0 -= lk * w[w0 + k];
        s1 -= lk * w[w1 + k];
        s2 -= lk * w[w2 + k];
        s3 -= lk * w[w3 + k];
      }
      w[w0 + i] = s0 / pivot;
      w[w1 + i] = s1 / pivot;
      w[w2 + i] = s2 / pivot;
      w[w3 + i] = s3 / pivot;
    }
  }
  for (; r < e; r++) {
    const wr = r * d;
    for (let i = b1 - 1; i >= b0; i--) {
      const pivot = l[i * d + i];
      if (pivot === 0) {
        w[wr + i] = 0;
        continue;
      }
      let s = w[wr + i];
      for (let k = i + 1; k < b1; k++) s -= lt[i * d + k] * w[wr + k];
      w[wr + i] = s / pivot;
    }
  }
}
