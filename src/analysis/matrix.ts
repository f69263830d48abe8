import { freshArrays, type WorkArrays } from './workArrays';

/**
 * Dense row-major matrices: a typed array plus an explicit shape.
 *
 * Two layouts appear in this folder and the type names keep them apart:
 * - `Matrix` / `Matrix64` are token-major (`rows` = tokens, `cols` = features), the way hidden
 *   states arrive.
 * - `FeatureMajor` is the transpose (`rows` = features, `cols` = tokens), the layout the Gram kernels
 *   want, because each feature's values over all tokens are then contiguous.
 */

/** A row-major matrix of float32 or float64 values. */
export interface Matrix {
  readonly data: Float32Array | Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** A row-major float64 matrix (working copies, Gram products, fitted maps). */
export interface Matrix64 extends Matrix {
  readonly data: Float64Array;
}

declare const featureMajorBrand: unique symbol;

/**
 * A centred float64 matrix stored feature-major: `rows` = features (d), `cols` = tokens (n).
 * Branded so that a token-major matrix cannot be passed to a Gram kernel by mistake.
 */
export interface FeatureMajor extends Matrix64 {
  readonly [featureMajorBrand]: true;
}

/** Wraps `data` as a `rows` x `cols` matrix; throws when the sizes disagree. */
export function matrix<T extends Float32Array | Float64Array>(
  data: T,
  rows: number,
  cols: number,
): { data: T; rows: number; cols: number } {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix: invalid shape ${rows} x ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: ${data.length} values do not fill ${rows} x ${cols} (= ${rows * cols})`);
  }
  return { data, rows, cols };
}

/** A zero-filled float64 matrix (its array from `arrays`). */
export function zeros64(rows: number, cols: number, arrays: WorkArrays = freshArrays): Matrix64 {
  return matrix(arrays.zeros(rows * cols), rows, cols);
}

/**
 * The transpose of a row-major rows x cols float64 matrix (as cols x rows), by blocks of 64 columns
 * so that the writes stay within a few cache lines (an element-by-element copy of a 768 x 768
 * matrix strides through memory on every write). The result comes from `arrays`.
 */
export function transposed(
  a: Float64Array,
  rows: number,
  cols: number,
  arrays: WorkArrays = freshArrays,
): Float64Array {
  const out = arrays.zeros(rows * cols);
  for (let c0 = 0; c0 < cols; c0 += 64) {
    const c1 = Math.min(cols, c0 + 64);
    for (let r = 0; r < rows; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = a[r * cols + c];
  }
  return out;
}

/** Marks a float64 matrix as feature-major (features x tokens). */
export function asFeatureMajor(m: Matrix64): FeatureMajor {
  return m as FeatureMajor;
}

/** Throws unless `a` and `b` have the same shape; `what` names the call in the message. */
export function assertSameShape(what: string, a: Matrix, b: Matrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`${what}: shapes differ, ${a.rows} x ${a.cols} vs ${b.rows} x ${b.cols}`);
  }
}
