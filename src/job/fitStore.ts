/**
 * Where fitted reference maps are kept between runs. The fit is the expensive part of a first run
 * (the reference corpus goes through the model, then one d x d solve per layer pair), and it depends
 * only on the model, the corpus and a few settings, so it is paid once: in memory for the session,
 * and in the browser also in IndexedDB (`worker/indexedDbFitStore.ts`), so a reload or a later
 * visit skips it too.
 */
import type { FittedReference } from './fittedReference';

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

export class MemoryFitStore implements ReferenceFitStore {
  private readonly fits = new Map<string, FittedReference>();
  async get(key: string) {
    return this.fits.get(key);
  }
  async put(key: string, fit: FittedReference) {
    this.fits.set(key, fit);
  }
}
