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
 *    (Euclidean, computed from coordinate differences in float64, not from a Gram matrix, so close
 *    neighbours keep their digits). The authors also centre and divide by the mean row norm; ratios
 *    of distances do not change under either, so that step is skipped here.
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
  const pts = new Float64Array(n * d);
  for (let k = 0; k < n; k++) for (let f = 0; f < d; f++) pts[k * d + f] = x.data[rows[k] * d + f];
  const r1 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const r2 = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const t = pts[oi + f] - pts[oj + f];
        s += t * t;
      }
      insert(r1, r2, i, s);
      insert(r1, r2, j, s);
    }
  }
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

function insert(r1: Float64Array, r2: Float64Array, i: number, s: number): void {
  if (s < r1[i]) {
    r2[i] = r1[i];
    r1[i] = s;
  } else if (s < r2[i]) {
    r2[i] = s;
  }
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
