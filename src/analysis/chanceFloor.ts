/**
 * Expected in-sample linearity score for unrelated data (method.md, "Chance floor"): with n tokens
 * and r effective regressors (r = d when X has full column rank) the multivariate R^2 of a centred
 * OLS fit has mean r / (n - 1) under the null. `null` when the fit interpolates (n <= r + 1 would
 * give a floor >= 1, and the contract reports n <= d as null).
 */
export function chanceFloor(n: number, rank: number): number | null {
  if (!(n > rank + 1) || rank < 0) return null;
  return rank / (n - 1);
}
