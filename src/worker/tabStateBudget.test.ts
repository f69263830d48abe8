import { describe, expect, it } from 'vitest';
import { MAX_TAB_STATE_BYTES, tabStateBytes } from './tabStateBudget';

describe('tabStateBytes(deviceMemoryGb)', () => {
  it('is a quarter of what the device reports, at most 1 GB', () => {
    expect(tabStateBytes(0.5)).toBe(125e6);
    expect(tabStateBytes(2)).toBe(500e6);
    expect(tabStateBytes(4)).toBe(MAX_TAB_STATE_BYTES);
    expect(tabStateBytes(8)).toBe(MAX_TAB_STATE_BYTES);
  });

  it('is 1 GB where the device reports nothing usable', () => {
    for (const reported of [undefined, null, 0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(tabStateBytes(reported)).toBe(MAX_TAB_STATE_BYTES);
  });
});
