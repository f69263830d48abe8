import { describe, expect, it } from 'vitest';
import { checkImportSizes, MAX_STATS_TOTAL_BYTES } from './fileImport';
import { MAX_HIDDEN_STATES_FILE_BYTES, MAX_TOKEN_LIST_FILE_BYTES } from './hiddenStatesImport';

const refusal = (files: { name: string; size: number }[]) => {
  try {
    checkImportSizes(files);
  } catch (error) {
    return (error as Error).message;
  }
  return null;
};

describe('checkImportSizes (before anything is read)', () => {
  it('lets files within the limits through', () => {
    expect(refusal([{ name: 'states.npy', size: MAX_HIDDEN_STATES_FILE_BYTES }])).toBeNull();
    expect(
      refusal([
        { name: 'a.safetensors', size: 1e9 },
        { name: 'b.safetensors', size: 1e9 },
      ]),
    ).toBeNull();
  });

  it('refuses files over the stated limits, empty files, unknown kinds and nothing at all', () => {
    expect(refusal([{ name: 'big.npy', size: MAX_HIDDEN_STATES_FILE_BYTES + 1 }])).toBe(
      'big.npy is 1.0 GB, more than the 1.0 GB the page opens. Use the command line (linscope reduce for stats, analyze for models) for bigger files.',
    );
    expect(refusal([{ name: 'big.safetensors', size: 5 * 1024 ** 3 }])).toMatch(
      /^big\.safetensors is 5\.0 GB, more than the 1\.0 GB the page opens/,
    );
    expect(
      refusal([
        { name: 'states.npy', size: 1 },
        { name: 'tokens.txt', size: MAX_TOKEN_LIST_FILE_BYTES + 1 },
      ]),
    ).toMatch(/^tokens\.txt is 65 MB, more than the 64 MB the page opens/);
    const three = Array.from({ length: 3 }, (_, i) => ({
      name: `part-${i}.safetensors`,
      size: 0.9 * 1024 ** 3,
    }));
    expect(refusal(three)).toMatch(
      /These files are 2\.7 GB together, more than the 2\.0 GB the page opens at once/,
    );
    expect(3 * 0.9 * 1024 ** 3).toBeGreaterThan(MAX_STATS_TOTAL_BYTES);
    expect(refusal([{ name: 'empty.npy', size: 0 }])).toBe('empty.npy is empty (0 bytes).');
    expect(refusal([{ name: 'model.onnx', size: 10 }])).toMatch(
      /^model\.onnx: LinScope opens \.linscope\.json files, stats files and hidden states/,
    );
    expect(refusal([])).toBe('No files were chosen.');
  });
});
