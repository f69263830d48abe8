/**
 * IndexedDB as promises: the one wrapper behind the browser's stores (the Recent list here, the
 * worker's reference fits). Each caller owns its database name, version and stores.
 */

/** A request's result, or its error. */
export function idbRequest<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction commits; rejects when it fails or is aborted. */
export function idbTransactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export interface StoreDefinition {
  readonly name: string;
  /** The key path of the store's records; omitted, keys are given with each `put`. */
  readonly keyPath?: string;
}

/**
 * Opens (creating when new) database `name` at `version` with `stores`. Rejects where there is no
 * IndexedDB (Node, some private modes), when opening fails (a newer LinScope has upgraded it), or
 * when another tab blocks an upgrade. The connection closes itself when another tab upgrades.
 */
export function openIndexedDb(
  name: string,
  version: number,
  stores: readonly StoreDefinition[],
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available here.'));
      return;
    }
    const open = indexedDB.open(name, version);
    open.onupgradeneeded = () => {
      for (const store of stores) {
        if (!open.result.objectStoreNames.contains(store.name))
          open.result.createObjectStore(
            store.name,
            store.keyPath === undefined ? undefined : { keyPath: store.keyPath },
          );
      }
    };
    open.onsuccess = () => {
      const db = open.result;
      // A newer LinScope in another tab asks to upgrade: step aside (a connection left open would
      // block it). Callers that keep the connection listen for 'versionchange' to forget it.
      db.addEventListener('versionchange', () => db.close());
      resolve(db);
    };
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error(`The browser store "${name}" is blocked by another tab.`));
  });
}
