import { describe, expect, it } from 'vitest';
import { backendChoiceFromSearch } from './backendChoice';

describe('backendChoiceFromSearch()', () => {
  it('reads ?backend= and falls back to auto', () => {
    expect(backendChoiceFromSearch('?backend=wasm')).toBe('wasm');
    expect(backendChoiceFromSearch('?model=x&backend=webgpu')).toBe('webgpu');
    expect(backendChoiceFromSearch('?backend=cuda')).toBe('auto');
    expect(backendChoiceFromSearch('')).toBe('auto');
  });
});
