import type { BackendChoice } from '../worker/protocol';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const satisfies readonly BackendChoice[];

/** Where the page remembers the user's last choice of backend (this origin's localStorage). */
export const BACKEND_STORAGE_KEY = 'linscope.backend';

/** The part of `Storage` the choice needs; `null` where the page may not use storage. */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

function asChoice(value: string | null): BackendChoice | null {
  return (BACKEND_CHOICES as readonly string[]).includes(value ?? '') ? (value as BackendChoice) : null;
}

/** `?backend=webgpu|wasm|auto` selects the backend; anything else means `auto`. */
export function backendChoiceFromSearch(search: string): BackendChoice {
  return asChoice(new URLSearchParams(search).get('backend')) ?? 'auto';
}

/**
 * The backend to start with: `?backend=` when the URL names a valid one, else the choice the user
 * made last time on this origin, else `auto`.
 */
export function initialBackendChoice(search: string, storage: ChoiceStorage | null): BackendChoice {
  const fromUrl = asChoice(new URLSearchParams(search).get('backend'));
  if (fromUrl) return fromUrl;
  try {
    return asChoice(storage?.getItem(BACKEND_STORAGE_KEY) ?? null) ?? 'auto';
  } catch {
    return 'auto';
  }
}

/** Remember the user's choice for the next visit; storage that refuses (private modes) is no error. */
export function rememberBackendChoice(choice: BackendChoice, storage: ChoiceStorage | null): void {
  try {
    storage?.setItem(BACKEND_STORAGE_KEY, choice);
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
