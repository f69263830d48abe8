import { describe, expect, it } from 'vitest';
import {
  BACKEND_STORAGE_KEY,
  backendChoiceFromSearch,
  initialBackendChoice,
  rememberBackendChoice,
} from './backendChoice';
import type { ChoiceStorage } from './rememberedChoice';

function memoryStorage(initial: Record<string, string> = {}): ChoiceStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
  };
}

const refusingStorage: ChoiceStorage = {
  getItem: () => {
    throw new DOMException('blocked', 'SecurityError');
  },
  setItem: () => {
    throw new DOMException('full', 'QuotaExceededError');
  },
};

describe('backendChoiceFromSearch()', () => {
  it('reads ?backend= and falls back to auto', () => {
    expect(backendChoiceFromSearch('?backend=wasm')).toBe('wasm');
    expect(backendChoiceFromSearch('?model=x&backend=webgpu')).toBe('webgpu');
    expect(backendChoiceFromSearch('?backend=cuda')).toBe('auto');
    expect(backendChoiceFromSearch('')).toBe('auto');
  });
});

describe('initialBackendChoice()', () => {
  it('takes the URL first, then the remembered choice, then auto', () => {
    const storage = memoryStorage({ [BACKEND_STORAGE_KEY]: 'wasm' });
    expect(initialBackendChoice('?backend=webgpu', storage)).toBe('webgpu');
    expect(initialBackendChoice('', storage)).toBe('wasm');
    // An invalid URL value does not hide the remembered choice.
    expect(initialBackendChoice('?backend=cuda', storage)).toBe('wasm');
    expect(initialBackendChoice('', memoryStorage())).toBe('auto');
    expect(initialBackendChoice('', null)).toBe('auto');
  });

  it('ignores a remembered value that is not a backend, and storage that throws', () => {
    expect(initialBackendChoice('', memoryStorage({ [BACKEND_STORAGE_KEY]: '<script>' }))).toBe('auto');
    expect(initialBackendChoice('', refusingStorage)).toBe('auto');
  });

  it('remembers what the user chose for the next visit', () => {
    const storage = memoryStorage();
    rememberBackendChoice('webgpu', storage);
    expect(storage.items.get(BACKEND_STORAGE_KEY)).toBe('webgpu');
    expect(initialBackendChoice('', storage)).toBe('webgpu');
    expect(() => rememberBackendChoice('wasm', refusingStorage)).not.toThrow();
  });
});
