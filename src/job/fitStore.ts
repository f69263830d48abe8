/**
 * Where fitted reference maps are kept between runs. The fit is the expensive part of a first run
 * (the reference corpus goes through the model, then one d x d solve per layer pair), and it depends
 * only on the model, the corpus and a few settings, so it is paid once: in memory for the session,
 * and in the browser also in IndexedDB (`worker/indexedDbFitStore.ts`), so a reload or a later
 * visit skips it too.
 */
import type { ReferenceFit } from '../analysis';
import type { FittedReference } from './fittedReference';
import { hasWholeComposition } from './referenceComposition';

/**
 * What a fit depends on, each part named (a stored fit is reused only when every part is equal,
 * and a fit file made for other parts is refused naming the first that differs): the model (id,
 * revision, dtype, device), the reference (source, name, a hash of its content), how it is sampled
 * (the window length and the token budget), and the settings that change the maps.
 */
export interface ReferenceFitKeyParts {
  readonly model: string;
  readonly dtype: string;
  readonly reference: string;
  readonly content: string;
  readonly sampling: string;
  readonly settings: string;
  /**
   * The fingerprint of the model's weights, where the model is loaded. Not part of the key (a fit
   * for other weights under the same key is replaced, not kept beside): checked against the fit's
   * own `weights` (`fitsWeights`).
   */
  readonly weights?: string;
}

/** Whether `fitted` may serve weights `weights` (a fit or a model that does not say is not refused). */
export function fitsWeights(fitted: Pick<FittedReference, 'weights'>, weights: string | undefined): boolean {
  return fitted.weights === undefined || weights === undefined || fitted.weights === weights;
}

/** Where fits are kept, by key (`referenceFitKey` of its parts, which come along for stores that record them). */
export interface ReferenceFitStore {
  get(key: string, parts?: ReferenceFitKeyParts): Promise<FittedReference | undefined>;
  put(key: string, fit: FittedReference, parts?: ReferenceFitKeyParts): Promise<void>;
}

/** A 53-bit FNV-1a-style hash of texts: a cache key for a corpus's contents. */
export function contentHash(texts: readonly string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    }
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193) >>> 0; // a separator, so ["ab"] and ["a", "b"] differ
  }
  return `${h1.toString(16).padStart(8, '0')}${(h2 & 0x1fffff).toString(16).padStart(6, '0')}`;
}

/**
 * Fits in memory. Unbounded by default (a CLI process, a page without IndexedDB: a fit dropped would
 * be made again); with `capacity`, the least recently used go first (a page, where IndexedDB keeps
 * them: a GPT-2-sized fit is ~55 MB, one of a 24-layer d = 896 model ~150 MB).
 */
export class MemoryFitStore implements ReferenceFitStore {
  private readonly fits = new Map<string, FittedReference>();
  private readonly capacity: number;

  constructor({ capacity = Number.POSITIVE_INFINITY }: { readonly capacity?: number } = {}) {
    if (!(capacity >= 1)) throw new RangeError(`MemoryFitStore: capacity ${capacity} is below 1`);
    this.capacity = capacity;
  }

  async get(key: string) {
    const fit = this.fits.get(key);
    if (fit !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      this.fits.delete(key);
      this.fits.set(key, fit);
    }
    return fit;
  }

  async put(key: string, fit: FittedReference) {
    this.fits.delete(key);
    this.fits.set(key, fit);
    for (const oldest of this.fits.keys()) {
      if (this.fits.size <= this.capacity) break;
      this.fits.delete(oldest);
    }
  }

  /** The fit under `key`, without counting as a use. */
  peek(key: string): FittedReference | undefined {
    return this.fits.get(key);
  }

  /** Forgets the fit under `key`, if any. */
  delete(key: string): void {
    this.fits.delete(key);
  }
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function floats(value: unknown, length: number): boolean {
  return value instanceof Float64Array && value.length === length;
}

/**
 * Whether a stored value is a whole reference fit, arrays of the right sizes included. IndexedDB
 * holds whatever was written (by an older LinScope, or edited, or half-written): a value that fails
 * is dropped and the fit is made again, never used.
 */
export function isReferenceFit(value: unknown): value is ReferenceFit {
  if (typeof value !== 'object' || value === null) return false;
  const fit = value as Partial<Record<keyof ReferenceFit, unknown>>;
  const d = fit.d;
  if (!Number.isInteger(d) || (d as number) <= 0 || !finite(fit.n) || !finite(fit.quantile)) return false;
  if (!Array.isArray(fit.excludedTokens) || !Array.isArray(fit.pairs) || !Array.isArray(fit.reasons))
    return false;
  if (fit.pairs.length === 0 || fit.reasons.length !== fit.pairs.length) return false;
  const size = d as number;
  return fit.pairs.every((pair: unknown) => {
    if (pair === null) return true;
    if (typeof pair !== 'object') return false;
    const p = pair as Record<string, unknown>;
    const map = p.map as Record<string, unknown> | null | undefined;
    return (
      finite(p.meanError) &&
      finite(p.threshold) &&
      finite(p.relativeThreshold) &&
      finite(p.unpredictable) &&
      typeof map === 'object' &&
      map !== null &&
      map.d === size &&
      finite(map.n) &&
      finite(map.rank) &&
      finite(map.normX) &&
      finite(map.normY) &&
      floats(map.meanX, size) &&
      floats(map.meanY, size) &&
      floats(map.weights, size * size)
    );
  });
}

const finiteOrNull = (v: unknown) => v === null || finite(v);
const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/**
 * Whether a stored value is a whole `FittedReference`: maps (`isReferenceFit`), their composition,
 * the held-out flash rates (one per pair) and the token ids the fit saw. Anything else is dropped.
 */
export function isFittedReference(value: unknown): value is FittedReference {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof FittedReference, unknown>>;
  if (!isReferenceFit(v.fit)) return false;
  const c = v.composition as Record<string, unknown> | null | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    count(c.tokens) &&
    finite(c.quantile) &&
    hasWholeComposition(c) &&
    Array.isArray(v.heldOutFlashRate) &&
    v.heldOutFlashRate.length === v.fit.pairs.length &&
    v.heldOutFlashRate.every(finiteOrNull) &&
    Array.isArray(v.seenIds) &&
    v.seenIds.every(count) &&
    (v.weights === undefined || typeof v.weights === 'string') &&
    (v.openedFrom === undefined || typeof v.openedFrom === 'string')
  );
}
