/**
 * The page's reference fit store: IndexedDB, with memory in front of it, so that a reload or a later
 * visit skips the slow part of a first run. Storage failures (private mode, quota) are not errors:
 * the fit is simply recomputed next time.
 */
import { isFittedReference, MemoryFitStore, type ReferenceFitStore } from '../job/fitStore';
import type { FittedReference } from '../job/fittedReference';
import { idbRequest, openIndexedDb } from '../share/indexedDb';

const DB_NAME = 'linscope';
const DB_VERSION = 1;
const STORE = 'reference-fits';
/** Fits kept on disk; the oldest go first. A GPT-2-sized fit is ~55 MB (12 maps of 768 x 768 float64). */
const MAX_STORED_FITS = 4;

interface StoredFit {
  fit: FittedReference;
  at: number;
}

export class IndexedDbFitStore implements ReferenceFitStore {
  private readonly memory = new MemoryFitStore();
  private db: Promise<IDBDatabase | null> | null = null;

  private open(): Promise<IDBDatabase | null> {
    this.db ??= openIndexedDb(DB_NAME, DB_VERSION, [{ name: STORE }]).then(
      (db) => {
        // Closed for another tab's upgrade: opened again when next needed (and where this
        // version can no longer open it, the fits live in memory only).
        db.addEventListener('versionchange', () => {
          this.db = null;
        });
        return db;
      },
      () => null,
    );
    return this.db;
  }

  async get(key: string): Promise<FittedReference | undefined> {
    const hit = await this.memory.get(key);
    if (hit) return hit;
    const db = await this.open();
    if (!db) return undefined;
    try {
      const entry = (await idbRequest(db.transaction(STORE).objectStore(STORE).get(key))) as unknown;
      if (entry === undefined) return undefined;
      const fit = (entry as Partial<StoredFit> | null)?.fit;
      if (!isFittedReference(fit)) {
        // Corrupt or from an older format: dropped, and the fit is made again (and stored anew).
        await idbRequest(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(key)).catch(
          () => undefined,
        );
        return undefined;
      }
      await this.memory.put(key, fit);
      return fit;
    } catch {
      return undefined;
    }
  }

  async put(key: string, fit: FittedReference): Promise<void> {
    await this.memory.put(key, fit);
    const db = await this.open();
    if (!db) return;
    try {
      const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
      const keys = (await idbRequest(store.getAllKeys())) as string[];
      const entries = await Promise.all(
        keys.map(async (k) => {
          const at = ((await idbRequest(store.get(k))) as Partial<StoredFit> | null)?.at;
          return { k, at: typeof at === 'number' ? at : 0 };
        }),
      );
      const tx = db.transaction(STORE, 'readwrite').objectStore(STORE);
      for (const { k } of entries
        .sort((a, b) => a.at - b.at)
        .slice(0, Math.max(0, entries.length - MAX_STORED_FITS + 1))) {
        await idbRequest(tx.delete(k));
      }
      await idbRequest(tx.put({ fit, at: Date.now() } satisfies StoredFit, key));
    } catch {
      // Quota or private mode: keep the in-memory copy only.
    }
  }
}
