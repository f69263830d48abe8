/**
 * Where fitted reference maps are kept between runs. The fit is the expensive part of a first run
 * (the reference corpus goes through the model, then one d x d solve per layer pair), and it depends
 * only on the model, the corpus and a few settings, so it is paid once: in memory for the session,
 * and in the browser also in IndexedDB, so a reload or a later visit skips it too.
 */
import type { ReferenceFit } from '../analysis';

export interface ReferenceFitStore {
  get(key: string): Promise<ReferenceFit | undefined>;
  put(key: string, fit: ReferenceFit): Promise<void>;
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
  private readonly fits = new Map<string, ReferenceFit>();
  async get(key: string) {
    return this.fits.get(key);
  }
  async put(key: string, fit: ReferenceFit) {
    this.fits.set(key, fit);
  }
}

const DB_NAME = 'linscope';
const DB_VERSION = 1;
const STORE = 'reference-fits';
/** Fits kept on disk; the oldest go first. A GPT-2-sized fit is ~55 MB (12 maps of 768 x 768 float64). */
const MAX_STORED_FITS = 4;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * IndexedDB first, memory in front of it. Storage failures (private mode, quota) are not errors:
 * the fit is simply recomputed next time.
 */
export class IndexedDbFitStore implements ReferenceFitStore {
  private readonly memory = new MemoryFitStore();
  private db: Promise<IDBDatabase | null> | null = null;

  private open(): Promise<IDBDatabase | null> {
    this.db ??= new Promise((resolve) => {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const open = indexedDB.open(DB_NAME, DB_VERSION);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => resolve(null);
      open.onblocked = () => resolve(null);
    });
    return this.db;
  }

  async get(key: string): Promise<ReferenceFit | undefined> {
    const hit = await this.memory.get(key);
    if (hit) return hit;
    const db = await this.open();
    if (!db) return undefined;
    try {
      const entry = (await request(db.transaction(STORE).objectStore(STORE).get(key))) as
        | { fit: ReferenceFit }
        | undefined;
      if (entry) await this.memory.put(key, entry.fit);
      return entry?.fit;
    } catch {
      return undefined;
    }
  }

  async put(key: string, fit: ReferenceFit): Promise<void> {
    await this.memory.put(key, fit);
    const db = await this.open();
    if (!db) return;
    try {
      const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
      const keys = (await request(store.getAllKeys())) as string[];
      const entries = await Promise.all(
        keys.map(async (k) => ({ k, at: ((await request(store.get(k))) as { at: number }).at })),
      );
      const tx = db.transaction(STORE, 'readwrite').objectStore(STORE);
      for (const { k } of entries
        .sort((a, b) => a.at - b.at)
        .slice(0, Math.max(0, entries.length - MAX_STORED_FITS + 1))) {
        await request(tx.delete(k));
      }
      await request(tx.put({ fit, at: Date.now() }, key));
    } catch {
      // Quota or private mode: keep the in-memory copy only.
    }
  }
}
