import { describe, expect, it } from 'vitest';
import {
  LENS_MIN_COLUMN,
  LENS_STATE_COLUMN,
  lensColumnCount,
  lensWindow,
  MAX_LENS_COLUMNS,
  MIN_LENS_COLUMNS,
} from './logitLensWindow';

describe('lensColumnCount(width)', () => {
  it('fits as many columns as the width holds, between 3 and 12', () => {
    expect(lensColumnCount(LENS_STATE_COLUMN + 5 * LENS_MIN_COLUMN)).toBe(5);
    expect(lensColumnCount(LENS_STATE_COLUMN + 5 * LENS_MIN_COLUMN - 1)).toBe(4);
    expect(lensColumnCount(2000)).toBe(MAX_LENS_COLUMNS);
    expect(lensColumnCount(200)).toBe(MIN_LENS_COLUMNS);
    // Every column gets at least its minimum where the count is not the floor of 3.
    for (const width of [356, 562, 722, 900]) {
      const n = lensColumnCount(width);
      if (n > MIN_LENS_COLUMNS) expect(LENS_STATE_COLUMN + n * LENS_MIN_COLUMN).toBeLessThanOrEqual(width);
    }
  });
});

describe('lensWindow(width, tokenCount, focusToken)', () => {
  it('starts at the first token without a focus, and centres on the focused one', () => {
    expect(lensWindow(2000, 100, null)).toEqual({ start: 0, tokens: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(lensWindow(2000, 100, 50).start).toBe(44);
    expect(lensWindow(2000, 100, 50).tokens).toContain(50);
  });

  it('stays inside the text at its end and shows every token of a short text', () => {
    expect(lensWindow(2000, 100, 99).tokens.at(-1)).toBe(99);
    expect(lensWindow(2000, 5, 3)).toEqual({ start: 0, tokens: [0, 1, 2, 3, 4] });
    expect(lensWindow(356, 100, 40).tokens).toHaveLength(3);
  });
});
