/** Scores in tooltips: four decimals, as the JSON's exact value is in `data-value`. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(4);
}

/** A relative per-token error ("× reference mean error"): enough digits near 1, fewer when large. */
export function formatRelative(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(value >= 1 ? 2 : 3);
}

/** `data-value`: the exact number (`String` round-trips a double), empty for none. */
export function dataValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
