import { describe, expect, it } from 'vitest';
import { transposed } from './matrix';

describe('transposed', () => {
  it('transposed(A, 3, 130) puts A[r][c] at [c][r], across its 64-column blocks', () => {
    const rows = 3;
    const cols = 130;
    const a = Float64Array.from({ length: rows * cols }, (_, i) => i * 0.5 - 7);
    const t = transposed(a, rows, cols);
    expect(t.length).toBe(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) expect(t[c * rows + r]).toBe(a[r * cols + c]);
    expect(Array.from(transposed(t, cols, rows))).toEqual(Array.from(a));
  });
});
