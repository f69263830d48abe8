import { multiplyTransposed } from './gram';
import { dot } from './jsKernel';
import type { Matrix } from './matrix';

export interface TwoNNOptions {
  /** Only the first `maxTokens` tokens (of those selected) are used, as the authors do (default 4096). */
  readonly maxTokens?: number;
  /** Share of the smallest ratios mu the line is fitted on (default 0.2, method.md). */
  readonly fitFraction?: number;
}

/**
 * TwoNN intrinsic dimension (Facco et al. 2017; method.md, "Other per-layer metrics").
 *
 * 1. Take the first `maxTokens` selected tokens and drop exact duplicate rows (a zero
 *    nearest-neighbour distance would make mu infinite).
 * 2. For each point, mu = r2 / r1, the ratio of its second to first nearest-neighbour distance
 *    (Euclidean; candidates from the Gram matrix, final distances from coordinate differences in
 *    float64, so close neighbours keep their digits). The authors also centre and divide by the mean
 *    row norm; ratios of distances do not change under either (the centring is done anyway, for
 *    precision).
 * 3. Sort mu ascending; with N points the empirical CDF at the i-th smallest (1-based) is i / N.
 * 4. Fit -log(1 - F) = D log(mu) through the origin by least squares on the smallest
 *    floor(fitFraction * N) ratios (F = 1 excluded): D = sum(x y) / sum(x^2).
 *
 * `null` with fewer than 3 distinct points or nothing to fit.
 */
export function twoNN(x: Matrix, tokens?: Int32Array, options: TwoNNOptions = {}): number | null {
  const maxTokens = options.maxTokens ?? 4096;
  const fraction = options.fitFraction ?? 0.2;
  const d = x.cols;
  const all = tokens ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  const rows = uniqueRows(x, all.subarray(0, Math.min(all.length, maxTokens)));
  const n = rows.length;
  if (n < 3) return null;
  // Centred float64 copy: distances do not change, and smaller norms keep the Gram shortcut precise.
  const pts = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let k = 0; k < n; k++) for (let f = 0; f < d; f++) mean[f] += x.data[rows[k] * d + f];
  for (let f = 0; f < d; f++) mean[f] /= n;
  for (let k = 0; k < n; k++) for (let f = 0; f < d; f++) pts[k * d + f] = x.data[rows[k] * d + f] - mean[f];
  const { r1, r2 } = twoNearest(pts, n, d);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) mu[i] = Math.sqrt(r2[i]) / Math.sqrt(r1[i]);
  mu.sort();
  const m = Math.min(Math.floor(fraction * n), n - 1);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < m; i++) {
    const lx = Math.log(mu[i]);
    const ly = -Math.log(1 - (i + 1) / n);
    sxy += lx * ly;
    sxx += lx * lx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/** Candidates per point taken from the Gram-matrix distances and then measured exactly. */
const CANDIDATES = 8;
/** Points per block of the blockwise Gram product. */
const BLOCK = 256;

/**
 * Squared distances of every point to its nearest and second-nearest other point. Candidates come
 * from the Gram shortcut ||a||^2 + ||b||^2 - 2 a.b, computed blockwise through the Gram kernel
 * (n^2 d multiply-adds, but vectorised); the best `CANDIDATES` of each point are then measured
 * again from coordinate differences, so the reported distances carry full precision even for close
 * neighbours, where the shortcut loses digits.
 */
function twoNearest(pts: Float64Array, n: number, d: number): { r1: Float64Array; r2: Float64Array } {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = dot(pts, i * d, pts, i * d, d);
  const r1 = new Float64Array(n);
  const r2 = new Float64Array(n);
  const k = Math.min(CANDIDATES, n - 1);
  const candDist = new Float64Array(k);
  const candIdx = new Int32Array(k);
  const block = new Float64Array(BLOCK * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const rows = Math.min(BLOCK, n - i0);
    block.fill(0, 0, rows * n);
    multiplyTransposed(pts, pts, block, rows, n, d, false, i0 * d, d, 0, d, 0, n);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      candDist.fill(Number.POSITIVE_INFINITY);
      candIdx.fill(-1);
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const approx = sq[i] + sq[j] - 2 * block[r * n + j];
        if (approx < candDist[k - 1]) {
          let p = k - 1;
          while (p > 0 && candDist[p - 1] > approx) {
            candDist[p] = candDist[p - 1];
            candIdx[p] = candIdx[p - 1];
            p--;
          }
          candDist[p] = approx;
          candIdx[p] = j;
        }
      }
      let best1 = Number.POSITIVE_INFINITY;
      let best2 = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const j = candIdx[c];
        let s = 0;
        for (let f = 0; f < d; f++) {
          const t = pts[i * d + f] - pts[j * d + f];
          s += t * t;
        }
        if (s < best1) {
          best2 = best1;
          best1 = s;
        } else if (s < best2) {
          best2 = s;
        }
      }
      r1[i] = best1;
      r2[i] = best2;
    }
  }
  return { r1, r2 };
}

function uniqueRows(x: Matrix, rows: Int32Array): number[] {
  const d = x.cols;
  const seen = new Map<string, true>();
  const out: number[] = [];
  for (const r of rows) {
    const key = Array.prototype.join.call(x.data.subarray(r * d, (r + 1) * d), ',');
    if (!seen.has(key)) {
      seen.set(key, true);
      out.push(r);
    }
  }
  return out;
}
