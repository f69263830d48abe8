import { centerColumns } from './center';
import { gram } from './gram';
import type { Matrix, Matrix64 } from './matrix';

/**
 * Anisotropy of a set of states (method.md, "Other per-layer metrics"): the share of the centred
 * data's variance on its first principal direction, s1^2 / sum_i s_i^2, where s are the singular
 * values of the centred n x d matrix. `null` with fewer than 2 tokens or no variance.
 */
export function anisotropy(x: Matrix, tokens?: Int32Array): number | null {
  const c = centerColumns(x, tokens);
  if (c.centered.cols < 2) return null;
  return anisotropyFromGram(gram(c.centered));
}

/**
 * The same from the centred Gram matrix G = Xc^T Xc: lambda_max(G) / tr(G). lambda_max comes from
 * power iteration (G is symmetric positive semi-definite, so the Rayleigh quotient rises
 * monotonically to lambda_max and its error shrinks like (lambda_2 / lambda_1)^(2k)); it stops when
 * the quotient changes by less than 1e-14 of itself, or after `maxIterations`.
 */
export function anisotropyFromGram(g: Matrix64, maxIterations = 10_000): number | null {
  const d = g.rows;
  if (g.cols !== d) throw new RangeError(`anisotropyFromGram: matrix is ${g.rows} x ${g.cols}, not square`);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += g.data[i * d + i];
  if (!(trace > 0)) return null;
  return largestEigenvalue(g, maxIterations) / trace;
}

/** Largest eigenvalue of a symmetric positive semi-definite matrix by power iteration. */
export function largestEigenvalue(g: Matrix64, maxIterations = 10_000): number {
  const d = g.rows;
  const a = g.data;
  // Start from the column with the largest diagonal entry (G e_j): never orthogonal to the top
  // eigenvector unless that column is zero, which the trace check rules out for the largest one.
  let j = 0;
  for (let i = 1; i < d; i++) if (a[i * d + i] > a[j * d + j]) j = i;
  let v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = a[i * d + j];
  normalize(v);
  let w = new Float64Array(d);
  let lambda = 0;
  for (let it = 0; it < maxIterations; it++) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      const r = i * d;
      for (let k = 0; k < d; k++) s += a[r + k] * v[k];
      w[i] = s;
    }
    let next = 0;
    for (let i = 0; i < d; i++) next += v[i] * w[i];
    const norm = normalize(w);
    const done = Math.abs(next - lambda) <= 1e-14 * next;
    lambda = next;
    if (norm === 0 || done) break;
    [v, w] = [w, v];
  }
  return lambda;
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}
