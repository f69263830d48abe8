/**
 * The optional parts of a result's `perToken` that describe its reference (`reference.documents`,
 * `corpusDocuments`, `sampling`, `heldOut`) and its `calibration`, checked when a result comes from
 * outside (a .linscope.json file, a permalink): malformed ones are left out, never trusted.
 */
import { isSamplingRule } from '../job/referenceSample';
import type { ResultCalibration, ResultReference } from '../job/result';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isShare = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;

export type ReferenceComposition = Pick<
  ResultReference,
  'documents' | 'corpusDocuments' | 'sampling' | 'heldOut'
>;

/** The well-formed composition fields of `ref` (others dropped). */
export function checkedComposition(ref: Record<string, unknown>): ReferenceComposition {
  const out: ReferenceComposition = {};
  if (isCount(ref.documents)) out.documents = ref.documents;
  if (isCount(ref.corpusDocuments)) out.corpusDocuments = ref.corpusDocuments;
  const s = ref.sampling;
  if (isRecord(s) && isSamplingRule(s.rule) && isNum(s.seed) && isCount(s.chunkTokens))
    out.sampling = { rule: s.rule, seed: s.seed, chunkTokens: s.chunkTokens };
  const h = ref.heldOut;
  if (isRecord(h) && isCount(h.tokens) && isCount(h.documents))
    out.heldOut = { tokens: h.tokens, documents: h.documents };
  return out;
}

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
