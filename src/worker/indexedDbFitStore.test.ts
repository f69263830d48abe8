import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FittedReference } from '../job/fittedReference';
import { idbRequest, openIndexedDb } from '../share/indexedDb';
import { FITS_IN_MEMORY, IndexedDbFitStore, MAX_STORED_FITS } from './indexedDbFitStore';

/** A whole fit of width 2 with one pair, told apart from others by its token count. */
function fitted(n: number): FittedReference {
  const d = 2;
  const map = {
    d,
    n,
    rank: 2,
    meanX: new Float64Array(d),
    meanY: new Float64Array(d),
    normX: 1,
    normY: 1,
    weights: Float64Array.from({ length: d * d }, (_, i) => n + i),
  };
  return {
    fit: {
      d,
      n,
      excludedTokens: [],
      quantile: 0.99,
      pairs: [{ map, meanError: 0.1, threshold: 0.3, relativeThreshold: 3, unpredictable: 0 }],
      reasons: [null],
    },
    composition: {
      tokens: n,
      quantile: 0.99,
      documents: 2,
      corpusDocuments: 3,
      sampling: { rule: 'seeded-chunks', seed: 1, chunkTokens: 16 },
      heldOut: { tokens: 0, documents: 0 },
    },
    heldOutFlashRate: [0.01],
    seenIds: [1, 2, 3],
  };
}

let databases = 0;
/** A database of its own per test: a page's store, and the same page reloaded (a second store on it). */
function freshName(): string {
  return `linscope-test-${++databases}`;
}

async function storedKeys(name: string): Promise<string[]> {
  const db = await openIndexedDb(name, 2, [{ name: 'reference-fits' }, { name: 'reference-fit-used-at' }]);
  const keys = await idbRequest(db.transaction('reference-fits').objectStore('reference-fits').getAllKeys());
  db.close();
  return (keys as string[]).sort();
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('IndexedDbFitStore', () => {
  it('keeps a fit across a reload: a new store on the same database reads it back whole', async () => {
    const name = freshName();
    const page = new IndexedDbFitStore(name);
    await page.put('gpt2', fitted(100));
    const reloaded = await new IndexedDbFitStore(name).get('gpt2');
    expect(reloaded).toEqual(fitted(100));
    expect(reloaded?.fit.pairs[0]?.map.weights).toBeInstanceOf(Float64Array);
    expect(await new IndexedDbFitStore(name).get('other')).toBeUndefined();
  });

  it(`stores at most ${MAX_STORED_FITS} fits, dropping the one used longest ago`, async () => {
    const name = freshName();
    const store = new IndexedDbFitStore(name);
    for (let i = 0; i < MAX_STORED_FITS; i++) await store.put(`m${i}`, fitted(10 + i));
    // m0 used again (as from another tab, read from disk): m1 is now the one used longest ago.
    expect(await new IndexedDbFitStore(name).get('m0')).toEqual(fitted(10));
    await store.put('new', fitted(99));
    const expected = ['m0', ...Array.from({ length: MAX_STORED_FITS - 2 }, (_, i) => `m${i + 2}`), 'new'];
    expect(await storedKeys(name)).toEqual(expected.sort());
    // Putting a key that is stored already replaces it and drops nothing.
    await store.put('new', fitted(98));
    expect(await storedKeys(name)).toEqual(expected.sort());
    expect((await new IndexedDbFitStore(name).get('new'))?.fit.n).toBe(98);
  });

  it('finds the fit to drop without reading any stored fit', async () => {
    const name = freshName();
    const store = new IndexedDbFitStore(name);
    for (let i = 0; i < MAX_STORED_FITS; i++) await store.put(`m${i}`, fitted(10 + i));
    const reads: string[] = [];
    const get = IDBObjectStore.prototype.get;
    const getAll = IDBObjectStore.prototype.getAll;
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, query) {
      reads.push(`get ${this.name}`);
      return get.call(this, query);
    });
    vi.spyOn(IDBObjectStore.prototype, 'getAll').mockImplementation(function (
      this: IDBObjectStore,
      query,
      count,
    ) {
      reads.push(`getAll ${this.name}`);
      return getAll.call(this, query, count);
    });
    await store.put('new', fitted(99));
    expect(reads.filter((r) => r.endsWith(' reference-fits'))).toEqual([]);
    expect(reads).toContain('getAll reference-fit-used-at');
    expect(await storedKeys(name)).not.toContain('m0');
  });

  it(`holds only the ${FITS_IN_MEMORY} fits used last in memory; older ones come back from disk`, async () => {
    const name = freshName();
    const store = new IndexedDbFitStore(name);
    const first = fitted(10);
    await store.put('m0', first);
    expect(await store.get('m0')).toBe(first);
    for (let i = 1; i <= FITS_IN_MEMORY; i++) await store.put(`m${i}`, fitted(10 + i));
    const again = await store.get('m0');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // Now in memory again.
    expect(await store.get('m0')).toBe(again);
  });

  it('reads a database of the first version and counts its fits as the oldest', async () => {
    const name = freshName();
    const old = await openIndexedDb(name, 1, [{ name: 'reference-fits' }]);
    const tx = old.transaction('reference-fits', 'readwrite');
    tx.objectStore('reference-fits').put({ fit: fitted(7), at: Date.now() }, 'old');
    await idbRequest(tx.objectStore('reference-fits').count());
    old.close();
    const store = new IndexedDbFitStore(name);
    for (let i = 1; i < MAX_STORED_FITS; i++) await store.put(`m${i}`, fitted(10 + i));
    expect((await new IndexedDbFitStore(name).get('old'))?.fit.n).toBe(7);
    // Read just now, so it has a use time: m1 goes first.
    await store.put('new', fitted(99));
    expect(await storedKeys(name)).toContain('old');
    expect(await storedKeys(name)).not.toContain('m1');
  });

  it('without IndexedDB keeps every fit in memory (nowhere else to keep them)', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const store = new IndexedDbFitStore(freshName());
    const fits = Array.from({ length: FITS_IN_MEMORY + 2 }, (_, i) => fitted(10 + i));
    for (const [i, fit] of fits.entries()) await store.put(`m${i}`, fit);
    for (const [i, fit] of fits.entries()) expect(await store.get(`m${i}`)).toBe(fit);
  });
});
