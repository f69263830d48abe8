import { describe, expect, it } from 'vitest';
import { klDivergenceRows, logSoftmaxRows, nextTokenLoss, topTokens } from './nextTokenMetrics';
import { assertClose } from './testing/asserts';

// Two positions over a vocabulary of 3, worked out by hand:
// row 0 logits (0, ln 2, ln 3) -> p = (1, 2, 3) / 6; row 1 logits (5, 5, 5) -> p = 1/3 each.
const logits = Float32Array.of(0, Math.log(2), Math.log(3), 5, 5, 5);

describe('logSoftmaxRows(logits, T, V)', () => {
  it('gives log(p) row by row, unchanged by a constant shift of a row', () => {
    const lp = logSoftmaxRows(logits, 2, 3);
    assertClose(
      Float64Array.from(lp),
      [Math.log(1 / 6), Math.log(2 / 6), Math.log(3 / 6), Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3)],
      1e-6,
    );
    const shifted = logSoftmaxRows(
      Float32Array.from(logits, (v, i) => (i < 3 ? v + 1000 : v)),
      2,
      3,
    );
    // float32 keeps ~7e-6 of 100 + ln 2.
    assertClose(Float64Array.from(shifted), Float64Array.from(lp), 2e-5);
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => logSoftmaxRows(logits, 3, 3)).toThrow('6 logits for 3 x 3');
  });
});

describe('nextTokenLoss(logprobs, ids, V)', () => {
  it('is -log p of the next id, NaN at the last position', () => {
    const loss = nextTokenLoss(logSoftmaxRows(logits, 2, 3), [9, 2], 3);
    assertClose(loss[0], Math.log(2), 1e-6);
    expect(Number.isNaN(loss[1])).toBe(true);
    expect(() => nextTokenLoss(logSoftmaxRows(logits, 2, 3), [0, 3], 3)).toThrow('outside the vocabulary');
  });
});

describe('topTokens(logprobs, T, V)', () => {
  it('picks the largest, the first on ties', () => {
    expect(Array.from(topTokens(logSoftmaxRows(logits, 2, 3), 2, 3))).toEqual([2, 0]);
  });
});

describe('klDivergenceRows(p, q, T, V)', () => {
  it('is 0 for equal rows and sum p log(p/q) otherwise', () => {
    const p = logSoftmaxRows(logits, 2, 3);
    expect(Array.from(klDivergenceRows(p, p, 2, 3))).toEqual([0, 0]);
    // KL((1,2,3)/6 || uniform) = sum p ln(3 p); KL(uniform || (1,2,3)/6) = sum (1/3) ln((1/3) / p).
    const swapped = Float32Array.from([...p.subarray(3), ...p.subarray(0, 3)]);
    const kl = klDivergenceRows(p, swapped, 2, 3);
    const pr = [1 / 6, 2 / 6, 3 / 6];
    assertClose(
      kl[0],
      pr.reduce((s, x) => s + x * Math.log(3 * x), 0),
      1e-6,
    );
    assertClose(
      kl[1],
      pr.reduce((s, x) => s + (1 / 3) * Math.log(1 / 3 / x), 0),
      1e-6,
    );
  });

  it('ignores tokens p gives no mass', () => {
    const p = Float32Array.of(0, Number.NEGATIVE_INFINITY);
    const q = Float32Array.of(Math.log(0.5), Math.log(0.5));
    assertClose(klDivergenceRows(p, q, 1, 2)[0], Math.log(2), 1e-6);
  });
});
