/**
 * Choices the page remembers between visits (the backend, fitting the reference ahead), in this
 * origin's localStorage. Storage that refuses (blocked, private modes, full) is no error: the choice
 * then holds for this visit only.
 */

/** The part of `Storage` a remembered choice needs; `null` where the page may not use storage. */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** What `storage` holds under `key`, or null: nothing there, or storage that refuses to be read. */
export function rememberedChoice(storage: ChoiceStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Remember `value` under `key` for the next visit. */
export function rememberChoice(storage: ChoiceStorage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // The choice still holds for this visit.
  }
}

/** This page's localStorage, or `null` where reading it throws (storage blocked). */
export function pageStorage(): ChoiceStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
