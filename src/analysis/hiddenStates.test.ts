import { describe, expect, it } from 'vitest';
import { centerColumns } from './center';
import { distinctRows } from './distinctRows';
import { assertFiniteStates, blockCount, hiddenStates, keptTokens, stateMatrix } from './hiddenStates';
import { matrix } from './matrix';

describe('hiddenStates', () => {
  it('hiddenStates(data, L+1, T, d) exposes each state as a T x d view', () => {
    const h = hiddenStates(
      Float32Array.from({ length: 12 }, (_, i) => i),
      3,
      2,
      2,
    );
    expect(blockCount(h)).toBe(2);
    const s1 = stateMatrix(h, 1);
    expect([s1.rows, s1.cols]).toEqual([2, 2]);
    expect(Array.from(s1.data)).toEqual([4, 5, 6, 7]);
    expect(() => stateMatrix(h, 3)).toThrow('index 3 outside 0..2');
  });

  it('hiddenStates throws with the numbers when the data does not fill the shape', () => {
    expect(() => hiddenStates(new Float32Array(11), 3, 2, 2)).toThrow(
      '11 values do not fill [3, 2, 2] (= 12)',
    );
    expect(() => matrix(new Float64Array(5), 2, 3)).toThrow('5 values do not fill 2 x 3 (= 6)');
  });

  it('assertFiniteStates(h) names the state, token and feature of the first NaN or infinity', () => {
    const data = new Float32Array(2 * 3 * 4);
    assertFiniteStates(hiddenStates(data, 2, 3, 4));
    data[1 * 12 + 2 * 4 + 1] = Number.POSITIVE_INFINITY;
    expect(() => assertFiniteStates(hiddenStates(data, 2, 3, 4))).toThrow(
      'hidden state 1 has a non-finite value (Infinity) at token 2, feature 1',
    );
  });

  it('assertFiniteStates(h) accepts the largest float32 values everywhere and catches NaN in the tail and +/-Inf pairs', () => {
    const data = new Float32Array(2 * 3 * 5).fill(3.4e38); // 30 values: not a multiple of 4
    assertFiniteStates(hiddenStates(data, 2, 3, 5));
    data[29] = Number.NaN;
    expect(() => assertFiniteStates(hiddenStates(data, 2, 3, 5))).toThrow(
      'hidden state 1 has a non-finite value (NaN) at token 2, feature 4',
    );
    data[29] = 0;
    data[4] = Number.POSITIVE_INFINITY;
    data[8] = Number.NEGATIVE_INFINITY;
    expect(() => assertFiniteStates(hiddenStates(data, 2, 3, 5))).toThrow(
      'hidden state 0 has a non-finite value (Infinity) at token 0, feature 4',
    );
  });

  it('keptTokens(5, [0, 3]) is [1, 2, 4]', () => {
    expect(Array.from(keptTokens(5, [0, 3]))).toEqual([1, 2, 4]);
  });
});

describe('centerColumns', () => {
  it('centerColumns(X, tokens) centres on the selected tokens only and transposes', () => {
    const x = matrix(Float64Array.from([1, 10, 3, 20, 100, 0]), 3, 2);
    const c = centerColumns(x, Int32Array.from([0, 1]));
    expect(Array.from(c.mean)).toEqual([2, 15]);
    expect(Array.from(c.centered.data)).toEqual([-1, 1, -5, 5]);
    expect(c.sumSquares).toBe(52);
    expect(() => centerColumns(x, Int32Array.from([3]))).toThrow('token 3 outside 0..2');
  });
});

describe('distinctRows', () => {
  it('distinctRows(X) counts bit-identical rows once', () => {
    const x = matrix(Float32Array.from([1, 2, 1, 2, 2, 1, 0, 0, -0, 0]), 5, 2);
    expect(distinctRows(x)).toBe(3);
    expect(distinctRows(x, Int32Array.from([0, 1]))).toBe(1);
  });

  it('distinctRows(X) on float64 rows: -0 equals 0, and values that differ in the last bit are distinct', () => {
    const tiny = 1 + Number.EPSILON;
    const x = matrix(Float64Array.from([0.5, -0, 0.5, 0, 0.5, tiny, 0.5, 1, 0.25, 1]), 5, 2);
    expect(distinctRows(x)).toBe(4);
    // A view into a larger buffer (offset rows), as stateMatrix gives.
    const big = new Float32Array(12);
    big.set([3, 4, 3, 4, 5, 6], 6);
    expect(distinctRows(matrix(big.subarray(6), 3, 2))).toBe(2);
  });

  it('distinctRows(X, tokens, limit) stops counting at the limit', () => {
    // Rows: a, a, b, c, b, d -> 4 distinct.
    const x = matrix(Float32Array.from([1, 1, 1, 1, 2, 2, 3, 3, 2, 2, 4, 4]), 6, 2);
    expect(distinctRows(x)).toBe(4);
    expect(distinctRows(x, undefined, 10)).toBe(4);
    expect(distinctRows(x, undefined, 4)).toBe(4);
    expect(distinctRows(x, undefined, 3)).toBe(3);
    expect(distinctRows(x, undefined, 1)).toBe(1);
    expect(distinctRows(x, Int32Array.from([0, 1, 4, 2]), 3)).toBe(2);
  });
});
