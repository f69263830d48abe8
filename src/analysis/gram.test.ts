import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centerColumns } from './center';
import { crossGram, gram, matmul, multiplyTransposed, setSimdKernel, simdKernelActive } from './gram';
import { asFeatureMajor, matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';

function naiveABt(a: Float64Array, b: Float64Array, d: number, e: number, n: number): Float64Array {
  const c = new Float64Array(d * e);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < e; j++) for (let k = 0; k < n; k++) c[i * e + j] += a[i * n + k] * b[j * n + k];
  return c;
}

const initial = setSimdKernel(true);
afterAll(() => {
  setSimdKernel(initial);
});

/** Runs the tests of the enclosing describe block on one kernel. */
function onKernel(kernel: 'simd' | 'js'): void {
  beforeAll(() => {
    setSimdKernel(kernel === 'simd');
    expect(simdKernelActive()).toBe(kernel === 'simd');
  });
}

for (const kernel of ['simd', 'js'] as const) {
  describe(`gram (${kernel} kernel)`, () => {
    onKernel(kernel);
    // Shapes that exercise the 4 x 4 blocks, the edges (d % 4 != 0) and several token chunks (n > 512).
    for (const [d, n] of [
      [1, 3],
      [7, 13],
      [12, 40],
      [70, 1100],
      [9, 1101],
      [6, 4501],
    ]) {
      it(`gram(X) equals X X^T for d = ${d}, n = ${n}, and is exactly symmetric`, () => {
        const x = asFeatureMajor(matrix(gaussian(d * 31 + n, d * n), d, n));
        const g = gram(x);
        expect([g.rows, g.cols]).toEqual([d, d]);
        assertClose(g.data, naiveABt(x.data, x.data, d, d, n), 1e-10 * n, 'gram');
        for (let i = 0; i < d; i++)
          for (let j = 0; j < i; j++) expect(g.data[i * d + j]).toBe(g.data[j * d + i]);
      });
    }

    it('gram(centerColumns(X)) is n times the population covariance', () => {
      const n = 50;
      const d = 3;
      const raw = gaussian(5, n * d);
      const c = centerColumns(matrix(raw, n, d));
      const g = gram(c.centered);
      let s01 = 0;
      for (let k = 0; k < n; k++) s01 += (raw[k * d] - c.mean[0]) * (raw[k * d + 1] - c.mean[1]);
      assertClose(g.data[1], s01, 1e-12, 'g01');
      assertClose(g.data[0] + g.data[4] + g.data[8], c.sumSquares, 1e-12, 'trace');
    });
  });

  describe(`crossGram (${kernel} kernel)`, () => {
    onKernel(kernel);
    for (const [d, e, n] of [
      [5, 9, 21],
      [16, 6, 600],
    ]) {
      it(`crossGram(X, Y) equals X Y^T for ${d} x ${n} and ${e} x ${n}`, () => {
        const x = asFeatureMajor(matrix(gaussian(1, d * n), d, n));
        const y = asFeatureMajor(matrix(gaussian(2, e * n), e, n));
        assertClose(crossGram(x, y).data, naiveABt(x.data, y.data, d, e, n), 1e-10 * n, 'cross');
      });
    }

    it('crossGram(X, Y) throws with both token counts when they differ', () => {
      const x = asFeatureMajor(matrix(new Float64Array(6), 2, 3));
      const y = asFeatureMajor(matrix(new Float64Array(8), 2, 4));
      expect(() => crossGram(x, y)).toThrow('token counts differ, 3 vs 4');
    });
  });
}

describe('multiplyTransposed', () => {
  it('multiplyTransposed gives the same products on the SIMD and JavaScript kernels, with strides and offsets', () => {
    // A 9 x 13 block at offset 5 (stride 17) times a 7 x 13 block at offset 3 (stride 15) into C at offset 2 (stride 10).
    const a = gaussian(21, 5 + 9 * 17);
    const b = gaussian(22, 3 + 7 * 15);
    const run = (simd: boolean) => {
      setSimdKernel(simd);
      const c = new Float64Array(2 + 9 * 10).fill(1);
      multiplyTransposed(a, b, c, 9, 7, 13, false, 5, 17, 3, 15, 2, 10);
      return c;
    };
    const fast = run(true);
    const slow = run(false);
    setSimdKernel(true);
    assertClose(fast, slow, 1e-12, 'simd vs js');
    const want = 1 + a.subarray(5, 18).reduce((s, v, k) => s + v * b[3 + 15 + k], 0);
    assertClose(fast[2 + 1], want, 1e-12, 'C[0][1]');
    expect(fast[0]).toBe(1);
    expect(fast[2 + 7]).toBe(1);
  });
});

describe('matmul', () => {
  it('matmul(A, B) equals the textbook product for a 5 x 6 by 6 x 3 product', () => {
    const a = matrix(gaussian(3, 30), 5, 6);
    const b = matrix(gaussian(4, 18), 6, 3);
    const want = new Float64Array(15);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 6; k++) want[i * 3 + j] += a.data[i * 6 + k] * b.data[k * 3 + j];
    assertClose(matmul(a, b).data, want, 1e-12, 'matmul');
    expect(() => matmul(a, a)).toThrow('5 x 6 times 5 x 6');
  });
});
