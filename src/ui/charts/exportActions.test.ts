import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../share/fileNames';
import { EXPORT_STEMS } from './exportActions';

describe('EXPORT_STEMS', () => {
  it('gives every export its own file name', () => {
    const stems = Object.values(EXPORT_STEMS);
    expect(new Set(stems).size).toBe(stems.length);
    for (const ext of ['png', 'svg', 'csv']) {
      const names = stems.map((stem) => exportFileName('linscope/tiny-gpt2', stem, ext));
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('says which view a per-pair or per-token table came from', () => {
    expect(exportFileName('linscope/tiny-gpt2', EXPORT_STEMS.linearityTable, 'csv')).toBe(
      'linscope-linscope-tiny-gpt2-linearity-pairs.csv',
    );
    expect(exportFileName('linscope/tiny-gpt2', EXPORT_STEMS.companionsPairs, 'csv')).toBe(
      'linscope-linscope-tiny-gpt2-companions-pairs.csv',
    );
  });
});
