/**
 * A result's `calibration`, checked when a result comes from outside (a .linscope.json file, a
 * permalink): a malformed one is left out, never trusted. (The reference's composition fields are
 * read by `wellFormedComposition`, job/referenceComposition.ts, as the page's fit store reads them.)
 */
import type { ResultCalibration } from '../job/result';
import { isRecord } from './isRecord';

const isShare = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

/** `cal` as a calibration of `L` pairs, or null when it is not one. */
export function checkedCalibration(cal: unknown, L: number): ResultCalibration | null {
  const rates = (a: unknown): a is (number | null)[] =>
    Array.isArray(a) && a.length === L && a.every((v) => v === null || isShare(v));
  if (
    !isRecord(cal) ||
    !isShare(cal.nominalFlashRate) ||
    !isShare(cal.unseenTokenShare) ||
    typeof cal.offReference !== 'boolean' ||
    !rates(cal.flashRate) ||
    !rates(cal.heldOutFlashRate)
  )
    return null;
  return {
    nominalFlashRate: cal.nominalFlashRate,
    heldOutFlashRate: cal.heldOutFlashRate,
    flashRate: cal.flashRate,
    unseenTokenShare: cal.unseenTokenShare,
    offReference: cal.offReference,
  };
}
