/**
 * The page's reference fit store: IndexedDB, with memory in front of it, so that a reload or a later
 * visit skips the slow part of a first run. Storage failures (private mode, quota) are not errors:
 * the fit is simply recomputed next time.
 *
 * Memory holds the fits used last (`FITS_IN_MEMORY`); older ones are read back from IndexedDB when
 * asked for again. A fit IndexedDB could not take stays in memory, as there is nowhere else for it.
 * When the oldest stored fit makes room for a new one, it is found from a store of use times (a few
 * bytes each), never by reading the fits themselves.
 */
import { isFittedReference, MemoryFitStore, type ReferenceFitStore } from '../job/fitStore';
import type { FittedReference } from '../job/fittedReference';
import { idbRequest, idbTransactionDone, openIndexedDb } from '../share/indexedDb';

const DB_NAME = 'linscope';
/** 2: use times in a store of their own (version 1 kept them inside each fit's record). */
const DB_VERSION = 2;
const FITS = 'reference-fits';
const USED_AT = 'reference-fit-used-at';
/** Fits kept on disk; the least recently used go first. A GPT-2-sized fit is ~55 MB (12 maps of 768 x 768 float64). */
export const MAX_STORED_FITS = 4;
/** Fits kept in memory: the model in use and one beside it (a comparison's two models). */
export const FITS_IN_MEMORY = 2;

/** A fit's record in IndexedDB (`at`: when it was stored, kept for records read by an older LinScope). */
interface StoredFit {
  fit: FittedReference;
  at: number;
}

let lastUse = 0;
/** Now, in milliseconds, always later than the last call's: two uses in one millisecond stay in order. */
function nextUseTime(): number {
  lastUse = Math.max(Date.now(), lastUse + 1);
  return lastUse;
}

export class IndexedDbFitStore implements ReferenceFitStore {
  /** Fits that are also in IndexedDB: the latest few. */
  private readonly memory = new MemoryFitStore({ capacity: FITS_IN_MEMORY });
  /** Fits IndexedDB refused or could not be reached for: memory is their only place. */
  private readonly unstored = new MemoryFitStore();
  private db: Promise<IDBDatabase | null> | null = null;

  constructor(private readonly databaseName: string = DB_NAME) {}

  private open(): Promise<IDBDatabase | null> {
    this.db ??= openIndexedDb(this.databaseName, DB_VERSION, [{ name: FITS }, { name: USED_AT }]).then(
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
    const unstored = await this.unstored.get(key);
    if (unstored) return unstored;
    const db = await this.open();
    const hit = await this.memory.get(key);
    if (hit) {
      if (db) await this.markUsed(db, key).catch(() => undefined);
      return hit;
    }
    if (!db) return undefined;
    try {
      const entry = (await idbRequest(db.transaction(FITS).objectStore(FITS).get(key))) as unknown;
      if (entry === undefined) return undefined;
      const fit = (entry as Partial<StoredFit> | null)?.fit;
      if (!isFittedReference(fit)) {
        // Corrupt or from an older format: dropped, and the fit is made again (and stored anew).
        await this.remove(db, [key]).catch(() => undefined);
        return undefined;
      }
      await this.memory.put(key, fit);
      await this.markUsed(db, key).catch(() => undefined);
      return fit;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps `fit` in memory (a `get` meanwhile finds it there) and writes it to IndexedDB; resolves once
   * the write is done, so that a reload right after the job that made it finds it.
   */
  async put(key: string, fit: FittedReference): Promise<void> {
    this.unstored.delete(key);
    await this.memory.put(key, fit);
    await this.writeOrKeep(key, fit);
  }

  /** Writes `fit`; where IndexedDB does not take it, memory keeps it for good. */
  private async writeOrKeep(key: string, fit: FittedReference): Promise<void> {
    const db = await this.open();
    if (db && (await this.write(db, key, fit))) return;
    // Unless a later put replaced it meanwhile.
    const now = this.memory.peek(key);
    if (now !== undefined && now !== fit) return;
    this.memory.delete(key);
    await this.unstored.put(key, fit);
  }

  /** Stores `fit` under `key`, first making room; whether IndexedDB took it. */
  private async write(db: IDBDatabase, key: string, fit: FittedReference): Promise<boolean> {
    try {
      const usedAt = await this.lastUseTimes(db);
      const others = [...usedAt.entries()].filter(([k]) => k !== key).sort((a, b) => a[1] - b[1]);
      const oldest = others.slice(0, Math.max(0, others.length - MAX_STORED_FITS + 1)).map(([k]) => k);
      if (oldest.length > 0) await this.remove(db, oldest);
      const at = nextUseTime();
      const tx = db.transaction([FITS, USED_AT], 'readwrite');
      tx.objectStore(FITS).put({ fit, at } satisfies StoredFit, key);
      tx.objectStore(USED_AT).put(at, key);
      await idbTransactionDone(tx);
      return true;
    } catch {
      // Quota or private mode.
      return false;
    }
  }

  /**
   * When each stored fit was last used, by key: keys alone from the fits' store (a fit stored by
   * version 1 has no use time yet, and counts as the oldest), times from their own store.
   */
  private async lastUseTimes(db: IDBDatabase): Promise<Map<string, number>> {
    const tx = db.transaction([FITS, USED_AT]);
    const [keys, timeKeys, times] = await Promise.all([
      idbRequest(tx.objectStore(FITS).getAllKeys()),
      idbRequest(tx.objectStore(USED_AT).getAllKeys()),
      idbRequest(tx.objectStore(USED_AT).getAll()),
    ]);
    const known = new Map<unknown, number>(
      timeKeys.map((k, i) => [k, typeof times[i] === 'number' ? times[i] : 0]),
    );
    return new Map(keys.filter((k): k is string => typeof k === 'string').map((k) => [k, known.get(k) ?? 0]));
  }

  private async markUsed(db: IDBDatabase, key: string): Promise<void> {
    const tx = db.transaction(USED_AT, 'readwrite');
    tx.objectStore(USED_AT).put(nextUseTime(), key);
    await idbTransactionDone(tx);
  }

  private async remove(db: IDBDatabase, keys: readonly string[]): Promise<void> {
    const tx = db.transaction([FITS, USED_AT], 'readwrite');
    for (const key of keys) {
      tx.objectStore(FITS).delete(key);
      tx.objectStore(USED_AT).delete(key);
      this.memory.delete(key);
    }
    await idbTransactionDone(tx);
  }
}
