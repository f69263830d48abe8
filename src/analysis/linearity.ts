import { type Centered, centerColumns } from './center';
import { chanceFloor } from './chanceFloor';
import { type CholeskyFactor, COLLINEAR_TOLERANCE, cholesky, solveLowerRows } from './cholesky';
import { distinctRows } from './distinctRows';
import { crossGram, gram } from './gram';
import { assertSameShape, type Matrix, type Matrix64 } from './matrix';
import { freshArrays, type WorkArrays } from './workArrays';

/**
 * The paper's layer-linearity score for one (X, Y) pair, or `null` with the reason it would be
 * meaningless. `n` tokens, `d` features, `rank` the numerical column rank of the centred X (d unless
 * columns were collinear), `chanceFloor` the expected score for unrelated data.
 */
export type LinearityResult =
  | {
      readonly score: number;
      readonly n: number;
      readonly d: number;
      readonly rank: number;
      readonly chanceFloor: number | null;
      readonly reason: null;
    }
  | {
      readonly score: null;
      readonly n: number;
      readonly d: number;
      readonly rank: number | null;
      readonly chanceFloor: null;
      readonly reason: string;
    };

/** With (`next`: Y = H[l+1]) and without (`update`: Y = H[l+1] - H[l]) the residual stream. */
export interface PairLinearity {
  readonly linearity: LinearityResult;
  readonly linearityNoResidual: LinearityResult;
}

/** The pieces of one pair's fit that can be shared: X's Gram factor and the cross-Gram. */
export interface PairFit {
  readonly x: Centered;
  readonly y: Centered;
  readonly factor: CholeskyFactor;
  /** (Xc^T Yc)^T = Yc^T Xc (d x d, unnormalised): row r is target feature r's cross-products. */
  readonly crossT: Matrix64;
  /** (L^{-1} Xc^T Yc)^T, so that the explained sum of squares is ||Z||_F^2. */
  readonly zT: Matrix64;
}

/**
 * Layer linearity as method.md defines it: centre X and Y by column means, divide each by its
 * Frobenius norm, fit the unconstrained least-squares map A = argmin ||X~ A - Y~||_F^2 and return
 * 1 - ||X~ A - Y~||_F^2. Solved in float64 through the normal equations with a Cholesky factor.
 *
 * The normalisations cancel out of the score (it is the share of Y's centred sum of squares that a
 * linear map of X explains), so it is computed as ||L^{-1} Xc^T Yc||_F^2 / ||Yc||_F^2 with
 * Xc^T Xc = L L^T, never forming A.
 *
 * `null` when n <= d (the map can interpolate the tokens, so the score is near 1 whatever the data
 * and measures nothing; exactly 1 only when no two tokens share a row of X with different targets),
 * when the distinct tokens are too few for the rank (same interpolation), or when Y has no variance.
 */
export function linearityScore(x: Matrix, y: Matrix, tokens?: Int32Array): LinearityResult {
  assertSameShape('linearityScore', x, y);
  const cx = centerColumns(x, tokens);
  const cy = centerColumns(y, tokens);
  const guard = interpolationGuard(cx.centered.cols, x.cols, null, () => 0);
  if (guard !== null) return guard;
  return scoreNext(solutionOf(fitPair(cx, gram(cx.centered), cy)), (limit) => distinctRows(x, tokens, limit));
}

/**
 * What the scores need of a pair's fit: its size, the centred sums of squares of X and Y, X's
 * Cholesky factor, the cross-products Yc^T Xc and Z^T = (L^{-1} Xc^T Yc)^T. A fit on token data has
 * them (`solutionOf`); so do sums gathered elsewhere (layerMoments.ts).
 */
export interface PairSolution {
  readonly n: number;
  readonly d: number;
  readonly xSumSquares: number;
  readonly ySumSquares: number;
  readonly factor: CholeskyFactor;
  readonly crossT: Matrix64;
  readonly zT: Matrix64;
}

export function solutionOf(fit: PairFit): PairSolution {
  return {
    n: fit.x.centered.cols,
    d: fit.x.centered.rows,
    xSumSquares: fit.x.sumSquares,
    ySumSquares: fit.y.sumSquares,
    factor: fit.factor,
    crossT: fit.crossT,
    zT: fit.zT,
  };
}

/** Both scores of one pair from its fit: Y = H[l+1] and Y = H[l+1] - H[l]. */
export function pairLinearity(fit: PairSolution, gxx: Matrix64, distinct: DistinctCount): PairLinearity {
  return { linearity: scoreNext(fit, distinct), linearityNoResidual: scoreUpdate(fit, gxx, distinct) };
}

/**
 * Factors X's Gram matrix and forms Z = L^{-1} Xc^T Yc (kept transposed: one row per target
 * feature, the layout the blocked solve wants). `gxx` must be gram(x.centered). The factor, the
 * cross-products and Z come from `arrays` (`givePairFit` hands them back).
 */
export function fitPair(x: Centered, gxx: Matrix64, y: Centered, arrays: WorkArrays = freshArrays): PairFit {
  const factor = cholesky(gxx, COLLINEAR_TOLERANCE, arrays);
  const crossT = crossGram(y.centered, x.centered, arrays);
  return { x, y, factor, crossT, zT: solveLowerRows(factor, crossT, arrays) };
}

/** Hands back to `arrays` the arrays `fitPair` took from it (not the centred states, which the caller made). */
export function givePairFit(fit: PairFit, arrays: WorkArrays): void {
  arrays.give(fit.factor.factor.data, fit.crossT.data, fit.zT.data);
}

/** Score with the residual stream: Y = H[l+1]. */
export function scoreNext(fit: PairSolution, distinct: DistinctCount): LinearityResult {
  return finish(fit, distinct, sumSquares(fit.zT.data), fit.ySumSquares);
}

/**
 * Score without the residual stream: Y' = H[l+1] - H[l], whose centred cross-Gram with X is
 * Xc^T Yc - Xc^T Xc and whose sum of squares is ||Yc||^2 - 2 tr(Xc^T Yc) + ||Xc||^2. With a full-rank
 * factor, L^{-1} Xc^T Xc = L^T, so Z'^T = Z^T - L costs nothing; with dropped columns it is solved
 * again (G is symmetric, so the transposed right-hand side is Yc^T Xc - G).
 */
export function scoreUpdate(fit: PairSolution, gxx: Matrix64, distinct: DistinctCount): LinearityResult {
  const { factor, crossT, zT } = fit;
  const d = crossT.rows;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += crossT.data[i * d + i];
  const syy = fit.ySumSquares - 2 * trace + fit.xSumSquares;
  let explained = 0;
  if (factor.rank === d) {
    const l = factor.factor.data;
    for (let i = 0; i < d * d; i++) {
      const v = zT.data[i] - l[i];
      explained += v * v;
    }
  } else {
    const b = new Float64Array(crossT.data);
    for (let i = 0; i < b.length; i++) b[i] -= gxx.data[i];
    explained = sumSquares(solveLowerRows(factor, { data: b, rows: d, cols: d }).data);
  }
  return finish(fit, distinct, explained, syy);
}

/**
 * The number of distinct token states, counted up to `limit` at most (`distinctRows` with a limit):
 * min(distinct, limit).
 */
export type DistinctCount = (limit: number) => number;

/**
 * The null cases: n <= d always interpolates, and so does a rank-r fit through r + 1 distinct
 * points or fewer. `distinct` is only consulted once n > d and the rank is known, and only asked
 * whether there are more than rank + 1.
 */
export function interpolationGuard(
  n: number,
  d: number,
  rank: number | null,
  distinct: DistinctCount,
): LinearityResult | null {
  if (n <= d) {
    return {
      score: null,
      n,
      d,
      rank,
      chanceFloor: null,
      reason: `n <= d: ${n} tokens for ${d} features; a least-squares map can interpolate that many tokens, so the score measures nothing`,
    };
  }
  if (rank !== null) {
    const k = distinct(rank + 2);
    if (k - 1 <= rank) {
      return {
        score: null,
        n,
        d,
        rank,
        chanceFloor: null,
        reason: `only ${k} distinct tokens for a rank-${rank} fit; a least-squares map can interpolate them, so the score measures nothing`,
      };
    }
  }
  return null;
}

function finish(fit: PairSolution, distinct: DistinctCount, explained: number, syy: number): LinearityResult {
  const { n, d } = fit;
  const rank = fit.factor.rank;
  const guard = interpolationGuard(n, d, rank, distinct);
  if (guard !== null) return guard;
  if (!(syy > 0)) {
    return { score: null, n, d, rank, chanceFloor: null, reason: 'the target states have no variance' };
  }
  return { score: explained / syy, n, d, rank, chanceFloor: chanceFloor(n, rank), reason: null };
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}
