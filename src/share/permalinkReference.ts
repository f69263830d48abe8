/**
 * A permalink's trailing section on the per-token reference: what the maps were fitted on beyond
 * name and token count (documents, sampling, held-out part) and the calibration, so that an opened
 * link shows the same note and warning under the heatmap. UTF-8 JSON: a few hundred bytes.
 */

import { wellFormedComposition } from '../job/referenceComposition';
import type { ResultPerToken } from '../job/result';
import { checkedCalibration } from './calibrationField';
import { PermalinkFormatError } from './permalinkBytes';

/** The section's bytes, or null when the result has nothing to add. */
export function encodeReferenceSection(perToken: ResultPerToken): Uint8Array | null {
  const { documents, corpusDocuments, sampling, heldOut } = perToken.reference;
  const composition = { documents, corpusDocuments, sampling, heldOut };
  if (Object.values(composition).every((v) => v === undefined) && !perToken.calibration) return null;
  return new TextEncoder().encode(
    JSON.stringify({ reference: composition, calibration: perToken.calibration }),
  );
}

/** Adds the section's fields to `perToken` (of `L` pairs); throws `PermalinkFormatError` when malformed. */
export function applyReferenceSection(bytes: Uint8Array, perToken: ResultPerToken, L: number): void {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new PermalinkFormatError('reference section is not JSON');
  }
  if (typeof value !== 'object' || value === null)
    throw new PermalinkFormatError('reference section is not an object');
  const { reference, calibration } = value as { reference?: unknown; calibration?: unknown };
  if (typeof reference === 'object' && reference !== null && !Array.isArray(reference))
    Object.assign(perToken.reference, wellFormedComposition(reference as Record<string, unknown>));
  if (calibration !== undefined) {
    const checked = checkedCalibration(calibration, L);
    if (checked === null) throw new PermalinkFormatError('reference calibration is malformed');
    perToken.calibration = checked;
  }
}
