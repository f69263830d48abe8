/**
 * What a reference was made of (`ResultReference`'s documents, corpusDocuments, sampling, heldOut),
 * read from a value that came from outside the code: the page's fit store, a .linscope.json file, a
 * permalink. One reading for all of them; each caller decides what a missing part means (a stored
 * fit without one is not used, a result without one is shown without it).
 */
import { isSamplingRule } from './referenceSample';
import type { ResultReference } from './result';

export type ReferenceComposition = Pick<
  ResultReference,
  'documents' | 'corpusDocuments' | 'sampling' | 'heldOut'
>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** A count as results carry them: a non-negative integer below 2^31. */
export const isCount = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The well-formed composition fields of `ref`; malformed or absent ones are left out. */
export function wellFormedComposition(ref: Record<string, unknown>): ReferenceComposition {
  const out: ReferenceComposition = {};
  if (isCount(ref.documents)) out.documents = ref.documents;
  if (isCount(ref.corpusDocuments)) out.corpusDocuments = ref.corpusDocuments;
  const s = ref.sampling;
  if (isRecord(s) && isSamplingRule(s.rule) && isFiniteNumber(s.seed) && isCount(s.chunkTokens))
    out.sampling = { rule: s.rule, seed: s.seed, chunkTokens: s.chunkTokens };
  const h = ref.heldOut;
  if (isRecord(h) && isCount(h.tokens) && isCount(h.documents))
    out.heldOut = { tokens: h.tokens, documents: h.documents };
  return out;
}

/** Whether `ref` has every composition field, each well formed. */
export function hasWholeComposition(ref: Record<string, unknown>): boolean {
  const parts = wellFormedComposition(ref);
  return (
    parts.documents !== undefined &&
    parts.corpusDocuments !== undefined &&
    parts.sampling !== undefined &&
    parts.heldOut !== undefined
  );
}
