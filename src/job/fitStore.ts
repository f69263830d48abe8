/**
 * Where fitted reference maps are kept between runs. The fit is the expensive part of a first run
 * (the reference corpus goes through the model, then one d x d solve per layer pair), and it depends
 * only on the model, the corpus and a few settings, so it is paid once: in memory for the session,
 * and in the browser also in IndexedDB (`worker/indexedDbFitStore.ts`), so a reload or a later
 * visit skips it too.
 */
import type { FittedReference } from './fittedReference';

export interface ReferenceFitStore {
  get(key: string): Promise<FittedReference | undefined>;
  put(key: string, fit: FittedReference): Promise<void>;
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
