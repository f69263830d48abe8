/**
 * A reference fit as a file (`linscope.fit/v1`, a safetensors file): what it was fitted for (the
 * key's parts, in the metadata) and the maps, their weights and means as float64 tensors bit for
 * bit, so a fit made once (`linscope analyze --save-fit`) serves later runs (`--load-fit`) only
 * where every part of the key is the same (`fitFileMismatch`).
 */
import type { LinearMap, ReferenceFit, ReferenceMap } from '../analysis';
import { LinScopeError } from '../errors';
import type { ReferenceFitKeyParts } from '../job/fitStore';
import type { FittedReference } from '../job/fittedReference';
import { readSafetensors, type SafeTensor, writeSafetensors } from './safetensors';

export const FIT_FORMAT = 'linscope.fit/v1';

/** The scalars of one pair's map; its arrays are tensors. */
interface StoredMap {
  n: number;
  rank: number;
  normX: number;
  normY: number;
  meanError: number;
  threshold: number;
  relativeThreshold: number;
  unpredictable: number;
}

/** What the fit was made on and how it did on held-out reference tokens (`FittedReference` less the maps). */
type StoredReference = Omit<FittedReference, 'fit'>;

interface StoredFit {
  d: number;
  n: number;
  excludedTokens: number[];
  quantile: number;
  reasons: (string | null)[];
  pairs: (StoredMap | null)[];
}

/** In the order a refusal looks at them: the dtype first, as the model part names it too. */
const KEY_PARTS: readonly (keyof ReferenceFitKeyParts)[] = [
  'dtype',
  'model',
  'reference',
  'content',
  'sampling',
  'settings',
];

/** What each key part is called in a refusal. */
const PART_NAMES: Record<keyof ReferenceFitKeyParts, string> = {
  model: 'model',
  dtype: 'dtype',
  reference: 'reference corpus',
  content: 'reference content (hash)',
  sampling: 'reference sampling',
  settings: 'settings',
  weights: 'weights (fingerprint)',
};

/** The fit and what it was fitted for, as a safetensors file. */
export function writeFitFile(parts: ReferenceFitKeyParts, fitted: FittedReference): Uint8Array {
  const { fit, ...reference } = fitted;
  const tensors = new Map<string, SafeTensor>();
  const vector = (data: Float64Array, shape: number[]): SafeTensor => ({ dtype: 'F64', shape, data });
  const pairs = fit.pairs.map((p, l): StoredMap | null => {
    if (p === null) return null;
    tensors.set(`pair.${l}.meanX`, vector(p.map.meanX, [fit.d]));
    tensors.set(`pair.${l}.meanY`, vector(p.map.meanY, [fit.d]));
    tensors.set(`pair.${l}.weights`, vector(p.map.weights, [fit.d, fit.d]));
    return {
      n: p.map.n,
      rank: p.map.rank,
      normX: p.map.normX,
      normY: p.map.normY,
      meanError: p.meanError,
      threshold: p.threshold,
      relativeThreshold: p.relativeThreshold,
      unpredictable: p.unpredictable,
    };
  });
  const stored: StoredFit = {
    d: fit.d,
    n: fit.n,
    excludedTokens: fit.excludedTokens,
    quantile: fit.quantile,
    reasons: [...fit.reasons],
    pairs,
  };
  return writeSafetensors(tensors, {
    format: FIT_FORMAT,
    key: JSON.stringify(parts),
    fit: JSON.stringify(stored),
    reference: JSON.stringify(reference satisfies StoredReference),
  });
}

const notAFit = (name: string, why: string) =>
  new LinScopeError('BAD_INPUT', `${name} is not a LinScope fit file (${why}).`);

/** A fit file's key parts and maps; a file that is not one is refused naming why. */
export function readFitFile(
  bytes: Uint8Array,
  name: string,
): { parts: ReferenceFitKeyParts; fitted: FittedReference } {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (error) {
    throw notAFit(name, error instanceof Error ? error.message : String(error));
  }
  if (file.metadata.format !== FIT_FORMAT) throw notAFit(name, `no ${FIT_FORMAT} format in its metadata`);
  let parts: ReferenceFitKeyParts;
  let stored: StoredFit;
  let reference: StoredReference;
  try {
    parts = JSON.parse(file.metadata.key ?? '');
    stored = JSON.parse(file.metadata.fit ?? '');
    reference = JSON.parse(file.metadata.reference ?? '');
  } catch {
    throw notAFit(name, 'its metadata is not JSON');
  }
  if (
    typeof reference?.composition !== 'object' ||
    !Array.isArray(reference.heldOutFlashRate) ||
    !Array.isArray(reference.seenIds)
  )
    throw notAFit(name, 'what it was fitted on is missing');
  if (!KEY_PARTS.every((k) => typeof parts?.[k] === 'string')) throw notAFit(name, 'its key is incomplete');
  if (parts.weights !== undefined && typeof parts.weights !== 'string')
    throw notAFit(name, 'its weights fingerprint is not a string');
  if (!Number.isInteger(stored?.d) || !Array.isArray(stored.pairs) || !Array.isArray(stored.reasons))
    throw notAFit(name, 'its maps are incomplete');
  const d = stored.d;
  const array = (tensorName: string, length: number): Float64Array => {
    const t = file.tensors.get(tensorName);
    if (!t || !(t.data instanceof Float64Array) || t.data.length !== length)
      throw notAFit(name, `tensor ${tensorName} is missing or not ${length} float64 values`);
    return t.data;
  };
  const pairs = stored.pairs.map((p, l): ReferenceMap | null => {
    if (p === null) return null;
    const map: LinearMap = {
      d,
      n: p.n,
      rank: p.rank,
      meanX: array(`pair.${l}.meanX`, d),
      meanY: array(`pair.${l}.meanY`, d),
      normX: p.normX,
      normY: p.normY,
      weights: array(`pair.${l}.weights`, d * d),
    };
    return {
      map,
      meanError: p.meanError,
      threshold: p.threshold,
      relativeThreshold: p.relativeThreshold,
      unpredictable: p.unpredictable,
    };
  });
  const fit: ReferenceFit = {
    d,
    n: stored.n,
    excludedTokens: stored.excludedTokens,
    quantile: stored.quantile,
    pairs,
    reasons: stored.reasons,
  };
  return {
    parts,
    fitted: {
      fit,
      composition: reference.composition,
      heldOutFlashRate: reference.heldOutFlashRate,
      seenIds: reference.seenIds,
      ...(typeof reference.weights === 'string' ? { weights: reference.weights } : {}),
    },
  };
}

/**
 * Why a fit made for `found` cannot serve a run that needs `wanted`, naming the first part that
 * differs; null when every part is the same.
 */
export function fitFileMismatch(
  name: string,
  found: ReferenceFitKeyParts,
  wanted: ReferenceFitKeyParts,
): string | null {
  // The weights are compared where both say (fits saved before they were recorded do not).
  const parts =
    found.weights !== undefined && wanted.weights !== undefined
      ? [...KEY_PARTS, 'weights' as const]
      : KEY_PARTS;
  const differs = parts.find((k) => found[k] !== wanted[k]);
  if (differs === undefined) return null;
  if (differs === 'weights')
    return `${name} was fitted for other weights of this model (fingerprint ${found.weights}; these are ${wanted.weights}: another checkpoint or fine-tune under the same name); run without --load-fit to fit the reference again.`;
  return `${name} was fitted for another ${PART_NAMES[differs]} (${found[differs]}), and this run needs ${wanted[differs]}; run without --load-fit to fit the reference again.`;
}
