import { type RunControl, throwIfAborted } from './abort';
import { type Centered, centerColumns } from './center';
import { lowerInverse, rowNormsThrough } from './cholesky';
import { gram } from './gram';
import { assertFiniteStates, blockCount, type HiddenStates, keptTokens, stateMatrix } from './hiddenStates';
import { fitPair, givePairFit, interpolationGuard } from './linearity';
import { type LinearMap, linearMapFromFit, tokenResiduals } from './linearMap';
import { massiveNormTokens } from './massiveNormTokens';
import type { Matrix64 } from './matrix';
import { quantile } from './quantile';
import { reusedArrays } from './workArrays';

/** One pair's map from the reference set, with the statistics that give per-token errors a unit. */
export interface ReferenceMap {
  readonly map: LinearMap;
  /**
   * Mean leave-one-out error of the reference tokens, in the reference's normalised units
   * (||x~ A - y~||^2 with X~ = Xc / normX, Y~ = Yc / normY). Per-token values are divided by it.
   */
  readonly meanError: number;
  /** The `quantile` of the reference's leave-one-out errors (normalised units): the flash threshold. */
  readonly threshold: number;
  /** The same threshold relative to `meanError` (threshold / meanError). */
  readonly relativeThreshold: number;
  /** Reference tokens left out of the statistics because their leverage is 1 (nothing predicts them). */
  readonly unpredictable: number;
}

/** Maps for every layer pair, fitted once on a reference token set (serialisable: numbers, arrays). */
export interface ReferenceFit {
  readonly d: number;
  /** Reference tokens used (after exclusions). */
  readonly n: number;
  /** Reference token indices left out of the fit. */
  readonly excludedTokens: number[];
  /** Quantile behind each pair's flash threshold. */
  readonly quantile: number;
  /** Pair l -> its map, or null when it could not be fitted (see `reasons[l]`). */
  readonly pairs: ReadonlyArray<ReferenceMap | null>;
  readonly reasons: ReadonlyArray<string | null>;
}

export interface ReferenceFitOptions {
  /** Reference tokens to fit on (default all, minus the exclusions below). */
  readonly tokens?: Int32Array;
  /** Leave out token 0 of the reference (default false). Ignored when `tokens` is given. */
  readonly excludeBos?: boolean;
  /** Leave out massive-norm tokens (`massiveNormTokens`, default false). Ignored when `tokens` is given. */
  readonly excludeMassive?: boolean;
  /** Norm factor over the median that makes a token "massive" (default 10). */
  readonly massiveFactor?: number;
  /** Quantile of the reference's leave-one-out errors used as the flash threshold (default 0.99). */
  readonly quantile?: number;
  /**
   * Only these pairs (default all 0..L-1), e.g. to split the fit across workers
   * (`mergeReferenceFits` joins the parts). The others are null with the reason `not fitted here`.
   */
  readonly pairs?: readonly number[];
}

/**
 * Fits the map of every pair (l, l+1) on a reference token set and measures the reference's own
 * out-of-sample error distribution (method.md, "Per-token non-linearity").
 *
 * The reference errors are leave-one-out errors, not in-sample ones: an in-sample residual is
 * shrunk by (1 - h_i), where h_i = 1/n + xc_i (Xc^T Xc)^{-1} xc_i^T is the token's leverage, and on
 * average by a factor 1 - (d + 1)/n, so in-sample errors would make every prompt token look worse
 * than the reference. For OLS with an intercept the leave-one-out residual is exactly
 * e_i / (1 - h_i), so no refits are needed. (The centring means and norms are those of the full
 * reference; errors are expressed in its normalised units.)
 */
export function fitReferenceMaps(
  states: HiddenStates,
  options: ReferenceFitOptions = {},
  control: RunControl = {},
): ReferenceFit {
  assertFiniteStates(states);
  const q = options.quantile ?? 0.99;
  const L = blockCount(states);
  const d = states.hidden;
  let tokens = options.tokens;
  let excludedTokens: number[] = [];
  if (tokens === undefined && (options.excludeBos || options.excludeMassive)) {
    const drop = new Set<number>(
      options.excludeMassive ? massiveNormTokens(states, options.massiveFactor ?? 10) : [],
    );
    if (options.excludeBos && states.tokens > 0) drop.add(0);
    excludedTokens = [...drop].sort((a, b) => a - b);
    tokens = keptTokens(states.tokens, excludedTokens);
  } else if (tokens !== undefined) {
    const kept = new Set(tokens);
    for (let t = 0; t < states.tokens; t++) if (!kept.has(t)) excludedTokens.push(t);
  }
  const pairs: (ReferenceMap | null)[] = [];
  const reasons: (string | null)[] = [];
  const wanted = wantedPairs(options.pairs, L);
  const n = tokens?.length ?? states.tokens;
  // Each pair's working arrays (centred states, Gram products, factor, residual inputs) are handed
  // back when it is done, for the next pair.
  const arrays = reusedArrays();
  let x: Centered | null = null;
  let gxx: Matrix64 | null = null;
  let done = 0;
  for (let l = 0; l < L; l++) {
    if (!wanted.has(l)) {
      pairs.push(null);
      reasons.push(NOT_FITTED_HERE);
      continue;
    }
    throwIfAborted(control.signal);
    if (x === null || gxx === null) {
      // First pair of a contiguous run: centre its input state and form the Gram matrix.
      x = centerColumns(stateMatrix(states, l), tokens, arrays);
      gxx = gram(x.centered, arrays);
    }
    const y = centerColumns(stateMatrix(states, l + 1), tokens, arrays);
    const guard = interpolationGuard(n, d, null, () => 0);
    if (guard !== null) {
      pairs.push(null);
      reasons.push(guard.reason);
    } else {
      const fit = fitPair(x, gxx, y, arrays);
      const map = linearMapFromFit(fit, arrays);
      // Leverages, block by block with the residuals: h_k = 1/n + ||L^{-1} xc_k||^2 (the map's
      // meanX is the centring mean, so the shifted X is the centred X, token-major).
      const inverse = lowerInverse(fit.factor, arrays);
      const norms = new Float64Array(n);
      const residual = tokenResiduals(
        map,
        stateMatrix(states, l),
        stateMatrix(states, l + 1),
        tokens,
        arrays,
        (shiftedX, from, count) => rowNormsThrough(inverse, d, shiftedX, count, norms, from, arrays),
      );
      arrays.give(inverse);
      givePairFit(fit, arrays);
      const loo = new Float64Array(n);
      let unpredictable = 0;
      let sum = 0;
      const scale = 1 / (map.normY * map.normY);
      for (let k = 0; k < n; k++) {
        const h = 1 / n + norms[k];
        const keep = 1 - h;
        if (!(keep > 1e-8)) {
          loo[k] = Number.NaN;
          unpredictable++;
          continue;
        }
        loo[k] = (residual[k] * scale) / (keep * keep);
        sum += loo[k];
      }
      const meanError = sum / (n - unpredictable);
      const threshold = quantile(loo, q);
      pairs.push({ map, meanError, threshold, relativeThreshold: threshold / meanError, unpredictable });
      reasons.push(null);
    }
    // The map keeps X's mean, not its centred copy.
    arrays.give(x.centered.data, gxx.data);
    if (wanted.has(l + 1)) {
      x = y;
      gxx = gram(y.centered, arrays);
    } else {
      arrays.give(y.centered.data);
      x = null;
      gxx = null;
    }
    control.onProgress?.({ stage: 'fit', done: ++done, total: wanted.size });
  }
  return { d, n, excludedTokens, quantile: q, pairs, reasons };
}

/** The reason of a pair left out by `ReferenceFitOptions.pairs`. */
export const NOT_FITTED_HERE = 'not fitted here';

function wantedPairs(pairs: readonly number[] | undefined, L: number): Set<number> {
  if (pairs === undefined) return new Set(Array.from({ length: L }, (_, l) => l));
  for (const l of pairs) {
    if (!Number.isInteger(l) || l < 0 || l >= L)
      throw new RangeError(`fitReferenceMaps: pair ${l} outside 0..${L - 1}`);
  }
  return new Set(pairs);
}

/** Per-token non-linearity of a run, pair by pair (length L arrays of length T each). */
export interface PerTokenNonlinearity {
  /** Error relative to the reference's mean leave-one-out error for that pair (10 = ten times typical). NaN where the pair has no map. */
  readonly relative: Float64Array[];
  /** The same error in the reference's normalised units, ||x~_i A - y~_i||^2. */
  readonly raw: Float64Array[];
  /** 1 where the raw error exceeds the pair's flash threshold. */
  readonly flash: Uint8Array[];
}

/**
 * Applies the reference maps out of sample to every token of `states`: for token i and pair l,
 * E_i = ||(x_i - meanX) W + meanY - y_i||^2 / normY^2, i.e. ||x~_i A - y~_i||^2 with the reference's
 * centring and normalisation. Every token gets a value, excluded ones too (the caller decides how
 * to show them). With `pairs`, only those pairs are computed (the others stay NaN).
 */
export function perTokenNonlinearity(
  fit: ReferenceFit,
  states: HiddenStates,
  control: RunControl = {},
  pairs?: readonly number[],
): PerTokenNonlinearity {
  const L = blockCount(states);
  if (fit.pairs.length !== L || fit.d !== states.hidden) {
    throw new RangeError(
      `perTokenNonlinearity: reference has ${fit.pairs.length} pairs of d = ${fit.d}, states have ${L} pairs of d = ${states.hidden}`,
    );
  }
  const only = pairs ? new Set(pairs) : null;
  const residuals: (Float64Array | null)[] = [];
  const arrays = reusedArrays();
  for (let l = 0; l < L; l++) {
    throwIfAborted(control.signal);
    const pair = only === null || only.has(l) ? fit.pairs[l] : null;
    if (pair !== null && states.tokens > 0) {
      const [x, y] = [stateMatrix(states, l), stateMatrix(states, l + 1)];
      residuals.push(tokenResiduals(pair.map, x, y, undefined, arrays));
    } else residuals.push(null);
    control.onProgress?.({ stage: 'score', done: l + 1, total: L });
  }
  return perTokenFromResiduals(fit, residuals, states.tokens);
}

/**
 * The per-token values of `perTokenNonlinearity` from each pair's raw residuals on all `T` tokens
 * (`tokenResiduals`; null: the pair has no value here, NaN). For a caller that computed the
 * residuals already (`analyzeLayers` scores the same residuals as the held-out linearity).
 */
export function perTokenFromResiduals(
  fit: ReferenceFit,
  residuals: readonly (Float64Array | null)[],
  T: number,
): PerTokenNonlinearity {
  const relative: Float64Array[] = [];
  const raw: Float64Array[] = [];
  const flash: Uint8Array[] = [];
  for (const [l, residual] of residuals.entries()) {
    const pair = fit.pairs[l];
    const rel = new Float64Array(T).fill(Number.NaN);
    const abs = new Float64Array(T).fill(Number.NaN);
    const fl = new Uint8Array(T);
    if (pair !== null && residual !== null) {
      const scale = 1 / (pair.map.normY * pair.map.normY);
      for (let t = 0; t < T; t++) {
        abs[t] = residual[t] * scale;
        rel[t] = abs[t] / pair.meanError;
        fl[t] = abs[t] > pair.threshold ? 1 : 0;
      }
    }
    relative.push(rel);
    raw.push(abs);
    flash.push(fl);
  }
  return { relative, raw, flash };
}
