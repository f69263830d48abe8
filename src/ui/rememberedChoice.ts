/**
 * Choices the page remembers between visits (the backend, fitting the reference ahead), in this
 * origin's localStorage, and the prompt box's text for a reload of the tab (draftText.ts), in its
 * sessionStorage. Storage that refuses (blocked, private modes, full) is no error: the choice then
 * holds for this visit only.
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

/** Remember `value` under `key` for the next visit; false where the storage refused it. */
export function rememberChoice(storage: ChoiceStorage | null, key: string, value: string): boolean {
  try {
    storage?.setItem(key, value);
    return storage !== null;
  } catch {
    // The choice still holds for this visit.
    return false;
  }
}

/**
 * This page's localStorage (kept between visits), or its sessionStorage (kept for this tab); `null`
 * where reading it throws (storage blocked).
 */
export function pageStorage(area: 'localStorage' | 'sessionStorage' = 'localStorage'): ChoiceStorage | null {
  try {
    return globalThis[area] ?? null;
  } catch {
    return null;
  }
}
