import { type Centered, centerColumns, identityIndex } from './center';
import { solveUpperRows } from './cholesky';
import { multiplyTransposed } from './gram';
import type { PairFit } from './linearity';
import { assertSameShape, type Matrix, transposed } from './matrix';
import { freshArrays, type WorkArrays } from './workArrays';

/**
 * An affine map from one layer's states to the next, fitted on a reference token set. Plain numbers
 * and typed arrays only, so it can be structured-cloned to a worker or stored in IndexedDB as is.
 *
 * Prediction: y ≈ meanY + (x - meanX) W. In the paper's normalised units (X~ = Xc / normX,
 * Y~ = Yc / normY) the same map is A = (normX / normY) W.
 */
export interface LinearMap {
  /** Hidden size d. */
  readonly d: number;
  /** Reference tokens the map was fitted on. */
  readonly n: number;
  /** Numerical rank of the reference X (d unless collinear columns were dropped). */
  readonly rank: number;
  /** Column means of the reference X and Y (length d). */
  readonly meanX: Float64Array;
  readonly meanY: Float64Array;
  /** Frobenius norms of the centred reference X and Y. */
  readonly normX: number;
  readonly normY: number;
  /** d x d row-major weights W in raw units. */
  readonly weights: Float64Array;
}

/**
 * The map behind a pair fit: W = (Xc^T Xc)^{-1} Xc^T Yc, from the Cholesky factor by back
 * substitution. The working arrays come from `arrays` and go back to it; the map's own are new.
 */
export function linearMapFromFit(fit: PairFit, arrays: WorkArrays = freshArrays): LinearMap {
  const d = fit.crossT.rows;
  const wT = solveUpperRows(fit.factor, fit.zT, arrays).data;
  const w = transposed(wT, d, d);
  arrays.give(wT);
  return {
    d,
    n: fit.x.centered.cols,
    rank: fit.factor.rank,
    meanX: fit.x.mean,
    meanY: fit.y.mean,
    normX: Math.sqrt(fit.x.sumSquares),
    normY: Math.sqrt(fit.y.sumSquares),
    weights: w,
  };
}

/** Values in one block of token-major rows that `tokenResiduals` works on at a time (4 MB of float64). */
const BLOCK_VALUES = 2 ** 19;

/**
 * Tokens per block of `tokenResiduals` for d features: a multiple of 4, the SIMD kernel's row
 * blocks, so that every row goes through the same kernel path and sums as in one product over all
 * tokens (the last few rows of the last block, as of the whole, go to the edge code).
 */
export function residualBlockRows(d: number): number {
  return Math.max(4, Math.floor(BLOCK_VALUES / d / 4) * 4);
}

/**
 * Residuals of `map` on the tokens `rows` (all when omitted) of (x, y): ||meanY + (x_i - meanX) W -
 * y_i||^2 in raw units, one per token. A token's residual does not depend on which other tokens
 * are evaluated with it, so the tokens go through in blocks (`residualBlockRows`): the working
 * arrays are a block's size, not n x d (a GPT-2 reference of 6,144 tokens: 4 MB instead of two
 * 38 MB arrays). `eachBlock` sees each block's token-major X - meanX (rows `from` to
 * `from + count` of `rows`), for callers that need it too (leverages). The working arrays come from
 * `arrays` and go back to it.
 */
export function tokenResiduals(
  map: LinearMap,
  x: Matrix,
  y: Matrix,
  rows: Int32Array = identityIndex(x.rows),
  arrays: WorkArrays = freshArrays,
  eachBlock?: (shiftedX: Float64Array, from: number, count: number) => void,
): Float64Array {
  assertSameShape('tokenResiduals', x, y);
  if (x.cols !== map.d)
    throw new RangeError(`tokenResiduals: map is for d = ${map.d}, states have d = ${x.cols}`);
  const n = rows.length;
  const d = map.d;
  const residual = new Float64Array(n);
  if (n === 0) return residual;
  const block = Math.min(n, residualBlockRows(d));
  const wt = transposed(map.weights, d, d, arrays);
  const xs = arrays.zeros(block * d);
  const pred = arrays.zeros(block * d);
  for (let k0 = 0; k0 < n; k0 += block) {
    const count = Math.min(block, n - k0);
    // Token-major X - meanX, straight from the states (contiguous reads and writes).
    for (let k = 0; k < count; k++) {
      const from = rows[k0 + k] * d;
      const to = k * d;
      for (let f = 0; f < d; f++) xs[to + f] = x.data[from + f] - map.meanX[f];
    }
    // Predictions token-major, P = (X - meanX) W (entry (k, f) is row k of xs against column f of
    // W, row f of W^T), so that the residual loop reads P and the states' rows contiguously.
    pred.fill(0, 0, count * d);
    multiplyTransposed(xs, wt, pred, count, d, d, false);
    for (let k = 0; k < count; k++) {
      const at = k * d;
      const from = rows[k0 + k] * d;
      let sum = 0;
      for (let f = 0; f < d; f++) {
        const r = pred[at + f] + map.meanY[f] - y.data[from + f];
        sum += r * r;
      }
      residual[k0 + k] = sum;
    }
    eachBlock?.(xs.subarray(0, count * d), k0, count);
  }
  arrays.give(wt, xs, pred);
  return residual;
}

/** Out-of-sample linearity of one pair: a map fitted elsewhere, scored on these tokens. */
export interface HeldOutLinearity {
  /** 1 - SSE / SST with Y = H[l+1]; can be negative when the map does worse than the eval set's mean. */
  readonly linearity: number | null;
  /** The same with Y = H[l+1] - H[l] (same residuals, the update's own variance as denominator). */
  readonly linearityNoResidual: number | null;
  /** Tokens scored. */
  readonly n: number;
  /** Tokens the map was fitted on. */
  readonly nFit: number;
  readonly reason: string | null;
}

/**
 * Held-out linearity: apply a map fitted on another token set (with its centring means) and report
 * the out-of-sample R^2, 1 - sum_i ||y^_i - y_i||^2 / sum_i ||y_i - mean(y)||^2, where the mean is
 * the evaluated set's own. The residual of the update Y' = Y - X under the map y' = y^ - x is the
 * same vector, so both scores share the SSE and differ only in their denominators.
 */
export function heldOutLinearity(
  map: LinearMap,
  x: Matrix,
  y: Matrix,
  tokens?: Int32Array,
): HeldOutLinearity {
  const rows = tokens ?? identityIndex(x.rows);
  const residual = tokenResiduals(map, x, y, rows);
  return heldOutFromResiduals(map, residual, centerColumns(x, rows), centerColumns(y, rows));
}

/**
 * `heldOutLinearity` from the residuals of the evaluated tokens (`tokenResiduals`, in the order of
 * `cx` and `cy`'s tokens) and their centred data: for a caller that has every token's residual
 * already (the per-token values of the same pair).
 */
export function heldOutFromResiduals(
  map: LinearMap,
  residual: Float64Array,
  cx: Centered,
  cy: Centered,
): HeldOutLinearity {
  const n = residual.length;
  if (n < 2) {
    return {
      linearity: null,
      linearityNoResidual: null,
      n,
      nFit: map.n,
      reason: `only ${n} evaluation tokens`,
    };
  }
  let sse = 0;
  for (let k = 0; k < n; k++) sse += residual[k];
  let cross = 0;
  const xd = cx.centered.data;
  const yd = cy.centered.data;
  for (let i = 0; i < xd.length; i++) cross += xd[i] * yd[i];
  const sstUpdate = cy.sumSquares - 2 * cross + cx.sumSquares;
  return {
    linearity: cy.sumSquares > 0 ? 1 - sse / cy.sumSquares : null,
    linearityNoResidual: sstUpdate > 0 ? 1 - sse / sstUpdate : null,
    n,
    nFit: map.n,
    reason: cy.sumSquares > 0 ? null : 'the evaluated states have no variance',
  };
}
