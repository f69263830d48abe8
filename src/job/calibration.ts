/**
 * Calibration of a run's flashes (docs/analysis.md, "Calibration"): the nominal flash rate, the rate
 * the fit gave on held-out reference tokens, this run's rate, and whether this run is both flashing
 * far more than the reference does and unlike it, in which case its flashes say more about the
 * reference than about the model.
 */
import type { FittedReference } from './fittedReference';
import type { ResultCalibration } from './result';

/** A pair flashes "far above" the reference when its rate is more than this many times the larger of the nominal and the held-out rate... */
export const OFF_REFERENCE_RATE_FACTOR = 3;
/** ...with at least this many flashing tokens (one flash in a short prompt is no evidence)... */
export const OFF_REFERENCE_MIN_FLASHES = 3;
/** ...and the text is "unlike the reference" when at least this share of its distinct token ids never occur in the fitted tokens. */
export const OFF_REFERENCE_UNSEEN_SHARE = 0.3;

/**
 * `flash[l][t]` (1 = flash) over this run's tokens; `kept` the token indices that count (the ones
 * not excluded); `ids[t]` each token's id.
 */
export function calibration(
  fitted: FittedReference,
  flash: readonly ArrayLike<number>[],
  kept: readonly number[],
  ids: readonly number[],
): ResultCalibration {
  const nominalFlashRate = 1 - fitted.fit.quantile;
  const seen = new Set(fitted.seenIds);
  const types = new Set(kept.map((t) => ids[t]));
  let unseen = 0;
  for (const id of types) if (!seen.has(id)) unseen++;
  const unseenTokenShare = types.size === 0 ? 0 : unseen / types.size;
  const counts = fitted.fit.pairs.map((pair, l) => {
    if (pair === null || kept.length === 0) return null;
    let n = 0;
    for (const t of kept) n += flash[l][t];
    return n;
  });
  const flashRate = counts.map((n) => (n === null ? null : n / kept.length));
  const farAbove = counts.some((n, l) => {
    if (n === null || n < OFF_REFERENCE_MIN_FLASHES) return false;
    const expected = Math.max(nominalFlashRate, fitted.heldOutFlashRate[l] ?? 0);
    return n / kept.length > OFF_REFERENCE_RATE_FACTOR * expected;
  });
  return {
    nominalFlashRate,
    heldOutFlashRate: [...fitted.heldOutFlashRate],
    flashRate,
    unseenTokenShare,
    offReference: farAbove && unseenTokenShare >= OFF_REFERENCE_UNSEEN_SHARE,
  };
}
