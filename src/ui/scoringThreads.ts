/**
 * `?threads=N` (1-64): the cores the worker scores layer pairs on. 1 keeps scoring in the analysis
 * worker; N > 1 always splits the pairs over N pair workers (results are identical either way).
 * Absent or invalid: undefined, and the worker decides (big runs on every core, at most 8).
 */
export function scoringThreadsFromSearch(search: string): number | undefined {
  const value = new URLSearchParams(search).get('threads');
  if (value === null || !/^\d{1,2}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 64 ? n : undefined;
}
