/**
 * `?referenceTokensPerDim=N` (2-256): reference tokens per hidden dimension the per-token maps are
 * fitted on, instead of the default (8). For studies of the reference's size and for tests that
 * need a reference long enough to act during its fit; the fit is stored per value. Absent or
 * invalid: undefined (the default).
 */
export function referenceTokensPerDimFromSearch(search: string): number | undefined {
  const value = new URLSearchParams(search).get('referenceTokensPerDim');
  if (value === null || !/^\d{1,3}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 2 && n <= 256 ? n : undefined;
}
