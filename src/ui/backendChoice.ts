import type { BackendChoice } from '../worker/protocol';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const satisfies readonly BackendChoice[];

/** `?backend=webgpu|wasm|auto` selects the backend; anything else means `auto`. */
export function backendChoiceFromSearch(search: string): BackendChoice {
  const value = new URLSearchParams(search).get('backend');
  return (BACKEND_CHOICES as readonly string[]).includes(value ?? '') ? (value as BackendChoice) : 'auto';
}
