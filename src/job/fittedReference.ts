/**
 * A reference fit as a job keeps it: the maps (`ReferenceFit`), what they were fitted on, how they
 * did on held-out reference tokens, and the token ids the fit saw (to tell how unlike the reference a
 * text is). This is what `fitStore.ts` caches.
 */
import type { ReferenceFit } from '../analysis';
import type { ResultReference } from './result';

export interface FittedReference {
  readonly fit: ReferenceFit;
  /** The result JSON's `perToken.reference`, but for `source` and `name`, which the job adds. */
  readonly composition: Required<Omit<ResultReference, 'source' | 'name'>>;
  /** [L]: share of the held-out reference tokens that flash; null where a pair has no map or none were held out. */
  readonly heldOutFlashRate: (number | null)[];
  /** Token ids among the fitted tokens, ascending. */
  readonly seenIds: number[];
  /**
   * The fingerprint of the weights the reference ran through (src/model/weightsFingerprint.ts): the
   * fit serves only a model with these weights. Absent from fits made before LinScope recorded it.
   */
  readonly weights?: string;
  /**
   * The fit file this fit was opened from in the page (`share/fitImport.ts`), absent for a fit made
   * here: a fit the user chose, which the page says it set aside when it does not fit the weights.
   */
  readonly openedFrom?: string;
}
