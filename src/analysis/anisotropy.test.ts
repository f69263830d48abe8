import { describe, expect, it } from 'vitest';
import { anisotropy, anisotropyFromGram, largestEigenvalue } from './anisotropy';
import { centerColumns } from './center';
import { gram, smallerGram } from './gram';
import { stateMatrix } from './hiddenStates';
import { matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';
import { loadFixture } from './testing/fixture';

describe('anisotropy', () => {
  it('anisotropy(X) is 1 when every token lies on one line', () => {
    const n = 30;
    const t = gaussian(1, n);
    const x = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) for (let f = 0; f < 4; f++) x[i * 4 + f] = 1 + t[i] * (f + 1);
    assertClose(anisotropy(matrix(x, n, 4)), 1, 1e-12, 'line');
  });

  it('anisotropy(X) of isotropic Gaussian data is near 1/d (slightly above, from sampling)', () => {
    const n = 4000;
    const d = 8;
    const a = anisotropy(matrix(gaussian(2, n * d), n, d)) as number;
    expect(a).toBeGreaterThan(1 / d);
    expect(a).toBeLessThan(1 / d + 0.03);
  });

  it('anisotropy(X) is null for fewer than two tokens', () => {
    expect(anisotropy(matrix(new Float64Array(3), 1, 3))).toBeNull();
  });

  it("anisotropy(state) matches numpy's SVD on every state of the 'small' fixture", () => {
    const f = loadFixture('small');
    const h = f.states();
    const want = (f.doc.metrics.all as { states: { anisotropy: number }[] }).states;
    for (let s = 0; s < h.states; s++)
      assertClose(anisotropy(stateMatrix(h, s)), want[s].anisotropy, 1e-10, `state ${s}`);
  });

  it("anisotropy(state) with fewer tokens than features (the token Gram) matches numpy's SVD on the 'short' fixture", () => {
    const f = loadFixture('short');
    const h = f.states();
    expect(h.tokens).toBeLessThan(h.hidden);
    const want = (f.doc.metrics.all as { states: { anisotropy: number }[] }).states;
    for (let s = 0; s < h.states; s++)
      assertClose(anisotropy(stateMatrix(h, s)), want[s].anisotropy, 1e-10, `state ${s}`);
  });

  it('the token Gram and the feature Gram give the same anisotropy (n = 12 < d = 40)', () => {
    const n = 12;
    const d = 40;
    const c = centerColumns(matrix(gaussian(5, n * d), n, d));
    const small = smallerGram(c.centered);
    expect([small.rows, small.cols]).toEqual([n, n]);
    assertClose(anisotropyFromGram(small), anisotropyFromGram(gram(c.centered)), 1e-12, 'anisotropy');
    // Each entry is the inner product of two centred tokens.
    let dot = 0;
    for (let f = 0; f < d; f++) dot += c.centered.data[f * n + 3] * c.centered.data[f * n + 7];
    assertClose(small.data[3 * n + 7], dot, 1e-12, 'entry (3, 7)');
    // With n >= d it is the feature Gram itself.
    const wide = centerColumns(matrix(gaussian(6, 50 * 8), 50, 8)).centered;
    expect(smallerGram(wide).data).toEqual(gram(wide).data);
  });

  it('largestEigenvalue(Q diag(1, 0.999, ...) Q^T) is 1 to 1e-10 despite the close second eigenvalue', () => {
    // A random orthogonal Q (Gram-Schmidt on Gaussian columns) hides the diagonal structure.
    const d = 60;
    const q = gaussian(31, d * d);
    for (let c = 0; c < d; c++) {
      for (let p = 0; p < c; p++) {
        let s = 0;
        for (let r = 0; r < d; r++) s += q[r * d + c] * q[r * d + p];
        for (let r = 0; r < d; r++) q[r * d + c] -= s * q[r * d + p];
      }
      let nrm = 0;
      for (let r = 0; r < d; r++) nrm += q[r * d + c] ** 2;
      for (let r = 0; r < d; r++) q[r * d + c] /= Math.sqrt(nrm);
    }
    const lambda = Array.from({ length: d }, (_, i) => (i === 0 ? 1 : i === 1 ? 0.999 : 0.9 - 0.01 * i));
    const g = new Float64Array(d * d);
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += q[r * d + k] * lambda[k] * q[c * d + k];
        g[r * d + c] = s;
      }
    assertClose(largestEigenvalue(matrix(g, d, d)), 1, 1e-10, 'lambda max');
  });

  it('largestEigenvalue(diag(1, 5, 2)) is 5', () => {
    assertClose(
      largestEigenvalue(matrix(Float64Array.from([1, 0, 0, 0, 5, 0, 0, 0, 2]), 3, 3)),
      5,
      1e-12,
      'max',
    );
  });
});
