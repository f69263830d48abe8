import { describe, expect, it } from 'vitest';
import { planWindows } from './windows';

describe('planWindows()', () => {
  it('keeps a text that fits in one window as it is', () => {
    expect(planWindows([1, 5, 6], 8, 1)).toEqual([{ ids: [1, 5, 6], keepFrom: 0, textStart: 0 }]);
  });

  it('splits a long text into windows that cover every token once, each later one led by an added BOS', () => {
    const ids = [1, 10, 11, 12, 13, 14, 15];
    const windows = planWindows(ids, 3, 1);
    expect(windows).toEqual([
      { ids: [1, 10, 11], keepFrom: 0, textStart: 0 },
      { ids: [1, 12, 13], keepFrom: 1, textStart: 3 },
      { ids: [1, 14, 15], keepFrom: 1, textStart: 5 },
    ]);
    const kept = windows.flatMap((w) => w.ids.slice(w.keepFrom));
    expect(kept).toEqual(ids);
  });

  it('adds no BOS for a tokenizer without one (GPT-2 style)', () => {
    expect(planWindows([7, 8, 9, 10, 11], 2, null).map((w) => w.ids)).toEqual([[7, 8], [9, 10], [11]]);
  });

  it('rejects windows too short to hold a token after BOS', () => {
    expect(() => planWindows([1, 2], 1, 1)).toThrowError(/>= 2/);
  });
});
