import type { BackendChoice } from '../worker/protocol';
import { type ChoiceStorage, rememberChoice, rememberedChoice } from './rememberedChoice';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const satisfies readonly BackendChoice[];

/** Where the page remembers the user's last choice of backend (this origin's localStorage). */
export const BACKEND_STORAGE_KEY = 'linscope.backend';

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
  return fromUrl ?? asChoice(rememberedChoice(storage, BACKEND_STORAGE_KEY)) ?? 'auto';
}

/** Remember the user's choice for the next visit. */
export function rememberBackendChoice(choice: BackendChoice, storage: ChoiceStorage | null): void {
  rememberChoice(storage, BACKEND_STORAGE_KEY, choice);
}
