import { multiplyTransposed } from './gram';
import { dot } from './jsKernel';
import { type Matrix64, transposed } from './matrix';
import { freshArrays, type WorkArrays } from './workArrays';

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
 * Cholesky factorisation G = L L^T in float64, recursive: the leading half is factored, the block
 * below it is solved against that factor (`solveLowerRows` on L's rows), the trailing half is
 * updated with one symmetric product, L22 L22^T = A22 - L21 L21^T, and factored the same way.
 * Nearly all of the d^3/3 multiply-adds are in those products, which go through `multiplyTransposed`
 * (the WebAssembly kernel, or a native engine where a host installed one); only diagonal blocks of
 * at most FACTOR_LEAF columns are factored column by column.
 *
 * Singular or ill-conditioned G (duplicate tokens, a dead feature, n barely above d) is handled
 * deliberately, not with a jitter: when column j's remaining pivot is at most `tolerance` times its
 * diagonal entry G_jj (or G_jj is 0), column j is a numerical linear combination of the kept earlier
 * columns, so it is dropped: its row and column of L are zero and solves give it zero weight. That is
 * least squares on the kept columns, which has the same fitted values (and therefore the same
 * linearity score) as the pseudo-inverse solution numpy's `lstsq` returns for exactly dependent
 * columns. The caller sees `rank` and `dropped` and can report them. The factor and the working
 * blocks come from `arrays`.
 */
export function cholesky(
  g: Matrix64,
  tolerance = COLLINEAR_TOLERANCE,
  arrays: WorkArrays = freshArrays,
): CholeskyFactor {
  const d = g.rows;
  if (g.cols !== d) throw new RangeError(`cholesky: matrix is ${g.rows} x ${g.cols}, not square`);
  const l = arrays.copyOf(g.data);
  const dropped: number[] = [];
  factorRange({ l, g: g.data, d, tolerance, dropped, arrays }, 0, d);
  for (let i = 0; i < d; i++) l.fill(0, i * d + i + 1, (i + 1) * d);
  return {
    factor: { data: l, rows: d, cols: d },
    rank: d - dropped.length,
    dropped: Int32Array.from(dropped),
  };
}

/** Diagonal blocks up to this size are factored column by column. */
const FACTOR_LEAF = 32;

/** Diagonal blocks up to this size are solved by substitution. */
const SOLVE_LEAF = 48;

/** Where a range [c0, c1) is split: about half way, on a multiple of 16 columns from c0. */
function splitPoint(c0: number, c1: number): number {
  return c0 + Math.ceil((c1 - c0) / 32) * 16;
}

/** A factorisation in progress: L (starting as a copy of G) and what the leaves need. */
interface Factoring {
  readonly l: Float64Array;
  /** The original G, for the collinearity test. */
  readonly g: Float64Array;
  readonly d: number;
  readonly tolerance: number;
  /** Columns dropped so far, ascending. */
  readonly dropped: number[];
  readonly arrays: WorkArrays;
}

/**
 * Factors the diagonal block [c0, c1) of L in place (lower triangle), the contributions of the
 * columns before c0 already subtracted.
 */
function factorRange(f: Factoring, c0: number, c1: number): void {
  if (c1 - c0 <= FACTOR_LEAF) {
    factorLeaf(f, c0, c1);
    return;
  }
  const { l, d, arrays } = f;
  const mid = splitPoint(c0, c1);
  factorRange(f, c0, mid);
  const w = c1 - mid;
  // L21 (rows mid..c1, columns c0..mid) solves L11 x = a for each of its rows, in place.
  solveLowerRange(l, d, l, mid * d, w, d, c0, mid, arrays);
  // A22 -= L21 L21^T, the lower triangle (the product is symmetric: its upper blocks are computed,
  // and entry (i, j) is read as (j, i)).
  const tmp = arrays.zeros(w * w);
  multiplyTransposed(l, l, tmp, w, w, mid - c0, true, mid * d + c0, d, mid * d + c0, d, 0, w);
  for (let i = 0; i < w; i++) {
    const row = (mid + i) * d + mid;
    for (let j = 0; j <= i; j++) l[row + j] -= tmp[j * w + i];
  }
  arrays.give(tmp);
  factorRange(f, mid, c1);
}

/** Column-by-column factorisation of the diagonal block [c0, c1), rows c0..c1 only. */
function factorLeaf({ l, g, d, tolerance, dropped }: Factoring, c0: number, c1: number): void {
  for (let j = c0; j < c1; j++) {
    const rj = j * d;
    const s = l[rj + j] - dot(l, rj + c0, l, rj + c0, j - c0);
    const diag = g[rj + j];
    if (!(diag > 0) || !(s > tolerance * diag)) {
      // Collinear or constant column: drop it (zero row and column).
      l.fill(0, rj, rj + j + 1);
      for (let i = j + 1; i < d; i++) l[i * d + j] = 0;
      dropped.push(j);
      continue;
    }
    const pivot = Math.sqrt(s);
    l[rj + j] = pivot;
    for (let i = j + 1; i < c1; i++) {
      const ri = i * d;
      l[ri + j] = (l[ri + j] - dot(l, ri + c0, l, rj + c0, j - c0)) / pivot;
    }
  }
}

/**
 * Solves L z = b for every row b of `rows` (e x d) and returns the solutions as rows (e x d): the
 * transpose of L^{-1} B for B = rows^T. Unknowns of dropped columns are 0. The solutions and the
 * working blocks come from `arrays`.
 */
export function solveLowerRows(
  f: CholeskyFactor,
  rows: Matrix64,
  arrays: WorkArrays = freshArrays,
): Matrix64 {
  const d = f.factor.rows;
  if (rows.cols !== d)
    throw new RangeError(`solveLowerRows: factor is ${d} x ${d}, rows have ${rows.cols} columns`);
  const z = arrays.copyOf(rows.data);
  solveLowerRange(f.factor.data, d, z, 0, rows.rows, d, 0, d, arrays);
  return { data: z, rows: rows.rows, cols: d };
}

/**
 * Forward substitution for the unknowns [c0, c1) of `e` rows of z (starting at zOff, leading
 * dimension ldz), in place, the contributions of the unknowns before c0 already subtracted.
 * Recursive: the first half is solved, its contribution to the second half is one product through
 * `multiplyTransposed`, and blocks of at most SOLVE_LEAF unknowns are substituted element by element.
 */
function solveLowerRange(
  l: Float64Array,
  d: number,
  z: Float64Array,
  zOff: number,
  e: number,
  ldz: number,
  c0: number,
  c1: number,
  arrays: WorkArrays,
): void {
  if (c1 - c0 <= SOLVE_LEAF) {
    substituteLower(l, z, d, zOff, e, ldz, c0, c1, arrays);
    return;
  }
  const mid = splitPoint(c0, c1);
  solveLowerRange(l, d, z, zOff, e, ldz, c0, mid, arrays);
  // Z[:, mid:c1] -= Z[:, c0:mid] L[mid:c1, c0:mid]^T
  subtractProduct(z, zOff, ldz, e, mid, c1 - mid, c0, mid - c0, l, mid * d + c0, d, arrays);
  solveLowerRange(l, d, z, zOff, e, ldz, mid, c1, arrays);
}

/**
 * ||L^{-1} b||^2 for every row b of `rows` (e x d, row-major), as one product with the explicit
 * inverse: U = L^{-1} B^T (d x e) through the kernel, then column sums of squares. That is d^2 e
 * multiply-adds, twice the triangular solve's d^2 e / 2, but in one large product, while the solve
 * moves the e x d right-hand sides through every level of its recursion and needs them transposed
 * first (faster, as measured in docs/performance.md, "Kernel design measurements"). Rows of L^{-1} come from
 * `solveLowerRows` on the identity (row r of the result is column r of L^{-1}); dropped columns give
 * zero rows and columns, so they are ignored as in a solve. The inverse of a triangular factor
 * computed by substitution is as accurate, column for column, as the solves it replaces. The
 * working arrays come from `arrays` and go back to it.
 */
export function solvedRowNorms(
  f: CholeskyFactor,
  rows: Float64Array,
  e: number,
  arrays: WorkArrays = freshArrays,
): Float64Array {
  const d = f.factor.rows;
  if (rows.length !== e * d)
    throw new RangeError(`solvedRowNorms: ${rows.length} values are not ${e} rows of d = ${d}`);
  const inverse = lowerInverse(f, arrays);
  const out = new Float64Array(e);
  rowNormsThrough(inverse, d, rows, e, out, 0, arrays);
  arrays.give(inverse);
  return out;
}

/**
 * L^{-1} (d x d, row-major; dropped columns give zero rows and columns) for `rowNormsThrough`, which
 * then takes the rows in as many calls as suits the caller. It comes from `arrays`.
 */
export function lowerInverse(f: CholeskyFactor, arrays: WorkArrays = freshArrays): Float64Array {
  const d = f.factor.rows;
  const identity = arrays.zeros(d * d);
  for (let i = 0; i < d; i++) identity[i * d + i] = 1;
  const solved = solveLowerRows(f, { data: identity, rows: d, cols: d }, arrays).data;
  const inverse = transposed(solved, d, d, arrays);
  arrays.give(identity, solved);
  return inverse;
}

/**
 * ||L^{-1} b||^2 of the first e rows b of `rows` (row-major, d each) into out[at..at+e), with
 * `inverse` from `lowerInverse`: a row's value does not depend on the other rows of the call.
 */
export function rowNormsThrough(
  inverse: Float64Array,
  d: number,
  rows: Float64Array,
  e: number,
  out: Float64Array,
  at: number,
  arrays: WorkArrays = freshArrays,
): void {
  const u = arrays.zeros(d * e);
  multiplyTransposed(inverse, rows, u, d, e, d, false);
  for (let i = 0; i < d; i++) {
    const row = i * e;
    for (let k = 0; k < e; k++) out[at + k] += u[row + k] * u[row + k];
  }
  arrays.give(u);
}

/**
 * Solves L^T w = z for every row z of `rows` (e x d) and returns the solutions as rows: the
 * transpose of L^{-T} Z. The same recursion as `solveLowerRows`, second half first, with L^T formed
 * once so that the products read contiguous rows. The solutions and the working blocks come from
 * `arrays`.
 */
export function solveUpperRows(
  f: CholeskyFactor,
  rows: Matrix64,
  arrays: WorkArrays = freshArrays,
): Matrix64 {
  const d = f.factor.rows;
  if (rows.cols !== d)
    throw new RangeError(`solveUpperRows: factor is ${d} x ${d}, rows have ${rows.cols} columns`);
  const l = f.factor.data;
  // L's upper triangle is zero (cholesky clears it), so its plain transpose is L^T.
  const lt = transposed(l, d, d, arrays);
  const w = arrays.copyOf(rows.data);
  solveUpperRange(l, lt, d, w, rows.rows, 0, d, arrays);
  arrays.give(lt);
  return { data: w, rows: rows.rows, cols: d };
}

function solveUpperRange(
  l: Float64Array,
  lt: Float64Array,
  d: number,
  w: Float64Array,
  e: number,
  c0: number,
  c1: number,
  arrays: WorkArrays,
): void {
  if (c1 - c0 <= SOLVE_LEAF) {
    substituteUpper(l, lt, w, d, e, c0, c1, arrays);
    return;
  }
  const mid = splitPoint(c0, c1);
  solveUpperRange(l, lt, d, w, e, mid, c1, arrays);
  // W[:, c0:mid] -= W[:, mid:c1] (L^T)[c0:mid, mid:c1]^T
  subtractProduct(w, 0, d, e, c0, mid - c0, mid, c1 - mid, lt, c0 * d + mid, d, arrays);
  solveUpperRange(l, lt, d, w, e, c0, mid, arrays);
}

/**
 * The update step of both recursive solves, in place: Z[:, to:to+w] -= Z[:, from:from+k] F^T, for
 * the e rows of z (from zOff, leading dimension ldz) and the w x k block F of `f` (from fOff,
 * leading dimension ldf). The product goes through the kernel into a scratch block first.
 */
function subtractProduct(
  z: Float64Array,
  zOff: number,
  ldz: number,
  e: number,
  to: number,
  w: number,
  from: number,
  k: number,
  f: Float64Array,
  fOff: number,
  ldf: number,
  arrays: WorkArrays,
): void {
  const tmp = arrays.zeros(e * w);
  multiplyTransposed(z, f, tmp, e, w, k, false, zOff + from, ldz, fOff, ldf, 0, w);
  for (let r = 0; r < e; r++) {
    const row = zOff + r * ldz + to;
    for (let c = 0; c < w; c++) z[row + c] -= tmp[r * w + c];
  }
  arrays.give(tmp);
}

/**
 * The unknowns [b0, b1) of `e` rows of z at once, in place: the diagonal block's inverse M = L_bb^{-1}
 * (substitution on the unit vectors, w^3/6 multiply-adds) is applied as one product, Z_b <- Z_b M^T,
 * through the kernel: e w^2 multiply-adds, twice what substituting row by row takes, but that runs
 * in scalar JavaScript with a dependency chain per row, about 10x slower per multiply-add. A dropped column
 * (pivot 0) gives a zero row of M, so its unknown is 0, as in a plain substitution.
 */
function substituteLower(
  l: Float64Array,
  z: Float64Array,
  d: number,
  zOff: number,
  e: number,
  ldz: number,
  b0: number,
  b1: number,
  arrays: WorkArrays,
): void {
  const w = b1 - b0;
  const m = arrays.zeros(w * w);
  for (let i = 0; i < w; i++) {
    const li = (b0 + i) * d + b0;
    const pivot = l[li + i];
    if (pivot === 0) continue;
    const mi = i * w;
    m[mi + i] = 1;
    for (let k = 0; k < i; k++) {
      const c = l[li + k];
      if (c === 0) continue;
      const mk = k * w;
      for (let j = 0; j <= k; j++) m[mi + j] -= c * m[mk + j];
    }
    for (let j = 0; j <= i; j++) m[mi + j] /= pivot;
  }
  applyBlockInverse(z, zOff, e, ldz, b0, m, w, arrays);
  arrays.give(m);
}

/**
 * Back substitution's counterpart of `substituteLower` for L^T w = z on the unknowns [b0, b1) of
 * every row of w (e x d): N = (L_bb^T)^{-1}, built from the last unknown up, applied as one product.
 */
function substituteUpper(
  l: Float64Array,
  lt: Float64Array,
  w: Float64Array,
  d: number,
  e: number,
  b0: number,
  b1: number,
  arrays: WorkArrays,
): void {
  const width = b1 - b0;
  const m = arrays.zeros(width * width);
  for (let i = width - 1; i >= 0; i--) {
    const pivot = l[(b0 + i) * d + b0 + i];
    if (pivot === 0) continue;
    const row = (b0 + i) * d + b0;
    const mi = i * width;
    m[mi + i] = 1;
    for (let k = i + 1; k < width; k++) {
      const c = lt[row + k];
      if (c === 0) continue;
      const mk = k * width;
      for (let j = k; j < width; j++) m[mi + j] -= c * m[mk + j];
    }
    for (let j = i; j < width; j++) m[mi + j] /= pivot;
  }
  applyBlockInverse(w, 0, e, d, b0, m, width, arrays);
  arrays.give(m);
}

/** Z[:, b0:b0+w] <- Z[:, b0:b0+w] M^T for e rows of z (leading dimension ldz) and a w x w M. */
function applyBlockInverse(
  z: Float64Array,
  zOff: number,
  e: number,
  ldz: number,
  b0: number,
  m: Float64Array,
  w: number,
  arrays: WorkArrays,
): void {
  const out = arrays.zeros(e * w);
  multiplyTransposed(z, m, out, e, w, w, false, zOff + b0, ldz, 0, w, 0, w);
  for (let r = 0; r < e; r++) z.set(out.subarray(r * w, (r + 1) * w), zOff + r * ldz + b0);
  arrays.give(out);
}
