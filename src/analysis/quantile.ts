/**
 * The q-quantile of `values` (NaN ignored), interpolating linearly between order statistics at
 * position q (m - 1): numpy's default (`method='linear'`). NaN for an empty input.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q = ${q} is outside [0, 1]`);
  const sorted = Float64Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const pos = q * (m - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(m - 1, lo + 1);
  const frac = pos - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}
