import { describe, expect, it } from 'vitest';
import { quantile } from './quantile';

describe('quantile', () => {
  it("quantile(values, q) interpolates like numpy's default", () => {
    // np.quantile([3, 1, 4, 1, 5, 9, 2, 6], [0, 0.5, 0.99, 1]) = [1, 3.5, 8.79, 9]
    const v = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(quantile(v, 0)).toBe(1);
    expect(quantile(v, 0.5)).toBe(3.5);
    expect(quantile(v, 0.99)).toBeCloseTo(8.79, 12);
    expect(quantile(v, 1)).toBe(9);
  });

  it('quantile ignores NaN and rejects q outside [0, 1]', () => {
    expect(quantile([Number.NaN, 2, 4], 0.5)).toBe(3);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
    expect(() => quantile([1], 1.5)).toThrow('q = 1.5');
  });
});
