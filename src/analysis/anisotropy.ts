import { centerColumns } from './center';
import { mirrorUpper, multiplyTransposed, smallerGram } from './gram';
import { dot } from './jsKernel';
import type { Matrix, Matrix64 } from './matrix';
import { freshArrays, type WorkArrays } from './workArrays';

/**
 * Anisotropy of a set of states (method.md, "Other per-layer metrics"): the share of the centred
 * data's variance on its first principal direction, s1^2 / sum_i s_i^2, where s are the singular
 * values of the centred n x d matrix. `null` with fewer than 2 tokens or no variance.
 */
export function anisotropy(x: Matrix, tokens?: Int32Array): number | null {
  const c = centerColumns(x, tokens);
  if (c.centered.cols < 2) return null;
  return anisotropyFromGram(smallerGram(c.centered));
}

/**
 * The same from a centred Gram matrix, G = Xc^T Xc (d x d) or Xc Xc^T (n x n, `smallerGram`): both
 * have the same nonzero eigenvalues and trace, and this is lambda_max(G) / tr(G). See
 * `largestEigenvalue` (whose working matrices come from `arrays`).
 */
export function anisotropyFromGram(g: Matrix64, arrays: WorkArrays = freshArrays): number | null {
  const d = g.rows;
  if (g.cols !== d) throw new RangeError(`anisotropyFromGram: matrix is ${g.rows} x ${g.cols}, not square`);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += g.data[i * d + i];
  if (!(trace > 0)) return null;
  return largestEigenvalue(g, arrays) / trace;
}

/**
 * Plain power-iteration steps before switching to the squared matrix. Each is d^2 scalar
 * multiply-adds; the six squarings (3 d^3, through the Gram kernel) cost about as much as 2000 of
 * them at d = 768, so a slowly converging iteration switches early.
 */
const PLAIN_ITERATIONS = 60;
/** Squarings in the second phase: the eigenvalue ratio is raised to the 64th power. */
const SQUARINGS = 6;

/**
 * Largest eigenvalue of a symmetric positive semi-definite matrix.
 *
 * Power iteration, started from G's column with the largest diagonal entry (never orthogonal to the
 * top eigenvector unless G = 0). The Rayleigh quotient rises monotonically to lambda_max with error
 * shrinking like (lambda_2 / lambda_1)^(2k); iteration stops when it changes by less than 1e-14 of
 * itself. That is quick when the top direction stands out (typical of hidden states), but for
 * nearly isotropic states lambda_2 / lambda_1 can be 0.998 and plain iteration would need thousands
 * of d^2 steps. After `PLAIN_ITERATIONS`, the iteration therefore continues on B = (G / tr G)^64,
 * formed by six squarings through the Gram kernel (3 d^3 multiply-adds), whose eigenvalue ratio is
 * the 64th power of G's. The eigenvalue is the Rayleigh quotient of the final vector with G itself.
 * The two d x d matrices the squarings alternate between come from `arrays` and go back to it.
 */
export function largestEigenvalue(g: Matrix64, arrays: WorkArrays = freshArrays): number {
  const d = g.rows;
  const a = g.data;
  let j = 0;
  for (let i = 1; i < d; i++) if (a[i * d + i] > a[j * d + j]) j = i;
  const v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = a[i * d + j];
  if (normalize(v) === 0) return 0;
  const first = powerIterate(a, d, v, PLAIN_ITERATIONS);
  if (first.converged) return first.lambda;
  let b = arrays.copyOf(a);
  for (let s = 0; s < SQUARINGS; s++) {
    let trace = 0;
    for (let i = 0; i < d; i++) trace += b[i * d + i];
    if (!(trace > 0)) break;
    for (let i = 0; i < b.length; i++) b[i] /= trace;
    // B is symmetric, so B B = B B^T: a Gram product of B's rows.
    const sq = arrays.zeros(d * d);
    multiplyTransposed(b, b, sq, d, d, d, true);
    mirrorUpper(sq, d);
    arrays.give(b);
    b = sq;
  }
  powerIterate(b, d, v, 10_000);
  arrays.give(b);
  return rayleigh(a, d, v);
}

/** Power iteration in place on v (unit length); returns the last Rayleigh quotient. */
function powerIterate(
  a: Float64Array,
  d: number,
  v: Float64Array,
  maxIterations: number,
): { lambda: number; converged: boolean } {
  const w = new Float64Array(d);
  let lambda = 0;
  for (let it = 0; it < maxIterations; it++) {
    for (let i = 0; i < d; i++) w[i] = dot(a, i * d, v, 0, d);
    let next = 0;
    for (let i = 0; i < d; i++) next += v[i] * w[i];
    const done = Math.abs(next - lambda) <= 1e-14 * Math.abs(next);
    lambda = next;
    if (normalize(w) === 0) return { lambda: 0, converged: true };
    v.set(w);
    if (done) return { lambda, converged: true };
  }
  return { lambda, converged: false };
}

function rayleigh(a: Float64Array, d: number, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += v[i] * dot(a, i * d, v, 0, d);
  return s;
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}
