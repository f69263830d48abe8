import { edges, multiplyJs } from './jsKernel';
import { type FeatureMajor, type Matrix64, transposed, zeros64 } from './matrix';
import { SIMD_K_MULTIPLE, simdKernel } from './simdKernel';
import { freshArrays, type WorkArrays } from './workArrays';

/*
 * The Gram products X^T X and X^T Y dominate the cost of every fit (n d^2 multiply-adds each;
 * Cholesky is d^3/3). Inputs are feature-major (d x n), so entry (i, j) is the dot product of two
 * contiguous rows. Everything heavy in this folder (Grams, blocked Cholesky and solves, residuals,
 * TwoNN distances, logit-lens logits) goes through `multiplyTransposed`: the WebAssembly SIMD
 * kernel (simdKernel.ts) for the bulk where available, and the JavaScript kernel (jsKernel.ts)
 * otherwise and for the edges. Accumulation is float64 throughout. How fast each kernel runs, measured: docs/performance.md, "Kernel design
 * measurements".
 */

/**
 * G = X X^T for feature-major X (d x n): the d x d Gram matrix of the centred data. Symmetric. Its
 * array comes from `arrays`.
 */
export function gram(x: FeatureMajor, arrays: WorkArrays = freshArrays): Matrix64 {
  const d = x.rows;
  const out = zeros64(d, d, arrays);
  multiplyTransposed(x.data, x.data, out.data, d, d, x.cols, true);
  // Only blocks on or above the diagonal were computed; mirror them.
  mirrorUpper(out.data, d);
  return out;
}

/**
 * The smaller of the two Gram matrices of feature-major X (d x n): X X^T (d x d) when d <= n, else
 * X^T X (n x n, the tokens' inner products). Both are symmetric positive semi-definite with the same
 * nonzero eigenvalues and the same trace, which is all the anisotropy reads (`anisotropyFromGram`);
 * with n < d tokens the token Gram costs n^2 d instead of n d^2, and its eigenvalue search (d/n)^2
 * less.
 */
export function smallerGram(x: FeatureMajor): Matrix64 {
  const d = x.rows;
  const n = x.cols;
  if (d <= n) return gram(x);
  const tokenMajor = transposed(x.data, d, n);
  const out = zeros64(n, n);
  multiplyTransposed(tokenMajor, tokenMajor, out.data, n, n, d, true);
  mirrorUpper(out.data, n);
  return out;
}

/**
 * Copies the upper triangle of a d x d row-major matrix onto its lower triangle, in 32 x 32 tiles
 * (an element-by-element copy reads one triangle with stride d: several times slower at d = 768).
 */
export function mirrorUpper(g: Float64Array, d: number): void {
  const T = 32;
  for (let i0 = 0; i0 < d; i0 += T) {
    const i1 = Math.min(d, i0 + T);
    for (let j0 = 0; j0 <= i0; j0 += T) {
      const j1 = Math.min(d, j0 + T);
      for (let i = i0; i < i1; i++) {
        const end = Math.min(j1, i);
        for (let j = j0; j < end; j++) g[i * d + j] = g[j * d + i];
      }
    }
  }
}

/**
 * C = X Y^T for feature-major X (d x n) and Y (e x n): the cross-Gram X^T Y in token-major terms.
 * Its array comes from `arrays`.
 */
export function crossGram(x: FeatureMajor, y: FeatureMajor, arrays: WorkArrays = freshArrays): Matrix64 {
  if (x.cols !== y.cols) {
    throw new RangeError(`crossGram: token counts differ, ${x.cols} vs ${y.cols}`);
  }
  const out = zeros64(x.rows, y.rows, arrays);
  multiplyTransposed(x.data, y.data, out.data, x.rows, y.rows, x.cols, false);
  return out;
}

let simdEnabled = true;

/**
 * A faster engine for big products that a host may install (the CLI installs onnxruntime-node's
 * native GEMM, src/model/nativeProducts.ts). Synchronous; float64 in, float64 out.
 */
export interface ProductEngine {
  /** What runs the products, for reports: e.g. `onnxruntime-node native GEMM (2 threads)`. */
  readonly name: string;
  /** A B^T for contiguous row-major A (m x n) and B (e x n), as a new row-major m x e array. */
  multiplyTransposed(a: Float64Array, b: Float64Array, m: number, e: number, n: number): Float64Array;
}

/**
 * Products with at least this many multiply-adds, and at least ENGINE_MIN_SIDE rows on each side,
 * go to an installed engine by default; smaller ones stay in WebAssembly, where a call costs nothing
 * (an engine call costs tens of microseconds, and operands with strides are copied first).
 */
export const ENGINE_MIN_WORK = 1 << 24;
export const ENGINE_MIN_SIDE = 32;
/** A symmetric product goes to the engine as this many row blocks, each from its diagonal on. */
const ENGINE_SYMMETRIC_BLOCKS = 4;

let engine: ProductEngine | null = null;
let engineMinWork = ENGINE_MIN_WORK;
let engineMinSide = ENGINE_MIN_SIDE;

/**
 * Installs (or, with null, removes) the engine for big products and returns the previous one.
 * `minWork` and `minSide` say which products are big enough (tests send every product to it).
 */
export function setProductEngine(
  next: ProductEngine | null,
  { minWork = ENGINE_MIN_WORK, minSide = ENGINE_MIN_SIDE }: { minWork?: number; minSide?: number } = {},
): ProductEngine | null {
  const previous = engine;
  engine = next;
  engineMinWork = minWork;
  engineMinSide = minSide;
  return previous;
}

/**
 * Chooses the kernel behind every Gram product and solve: the WebAssembly SIMD one (default, where
 * available) or plain JavaScript. Returns the previous setting. For tests and benchmarks.
 */
export function setSimdKernel(enabled: boolean): boolean {
  const previous = simdEnabled;
  simdEnabled = enabled;
  return previous;
}

/** Whether products currently run on the WebAssembly SIMD kernel. */
export function simdKernelActive(): boolean {
  return simdEnabled && simdKernel() !== null;
}

/** Which kernel products run on: `relaxed-madd` or `simd128` (WebAssembly), or `js`. */
export function kernelKind(): 'relaxed-madd' | 'simd128' | 'js' {
  const simd = simdEnabled ? simdKernel() : null;
  return simd === null ? 'js' : simd.kind;
}

/**
 * The kernel: c[cOff + i * ldc + j] += sum_{k < n} a[aOff + i * lda + k] * b[bOff + j * ldb + k]
 * for i < d, j < e (C += A B^T on row-major blocks with leading dimensions lda, ldb, ldc). With
 * `upper` (and A = B, d = e), only blocks on or above the diagonal are computed, plus edge
 * entries; the caller mirrors the rest. The bulk goes to the WebAssembly SIMD kernel when it is
 * available and enabled, the edges (and everything otherwise) to the JavaScript kernel below.
 */
export function multiplyTransposed(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  d: number,
  e: number,
  n: number,
  upper: boolean,
  aOff = 0,
  lda = n,
  bOff = 0,
  ldb = n,
  cOff = 0,
  ldc = e,
): void {
  if (engine !== null && d >= engineMinSide && e >= engineMinSide && d * e * n >= engineMinWork) {
    multiplyOnEngine(engine, a, b, c, d, e, n, upper, aOff, lda, bOff, ldb, cOff, ldc);
    return;
  }
  const simd = simdEnabled && d >= 4 && e >= 2 && n >= SIMD_K_MULTIPLE ? simdKernel() : null;
  if (simd === null) {
    multiplyJs(a, b, c, d, e, n, upper, aOff, lda, bOff, ldb, cOff, ldc);
    return;
  }
  const d4 = d - (d % 4);
  const e2 = e - (e % 2);
  const n2 = n - (n % SIMD_K_MULTIPLE);
  simd.multiply(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, d4, e2, n2, upper);
  // The last few terms (fewer than SIMD_K_MULTIPLE) for the entries the SIMD kernel covered.
  for (let k = n2; k < n; k++) {
    for (let i = 0; i < d4; i++) {
      const ai = a[aOff + i * lda + k];
      for (let j = upper ? i - (i % 4) : 0; j < e2; j++) c[cOff + i * ldc + j] += ai * b[bOff + j * ldb + k];
    }
  }
  edges(a, b, c, d, e, n, upper, aOff, lda, bOff, ldb, cOff, ldc, d4, e2);
}

/** Rows [r0, r1) of a row-major block as one contiguous array: a view when they are, else a copy. */
function rowsOf(x: Float64Array, off: number, ld: number, r0: number, r1: number, n: number): Float64Array {
  if (ld === n) return x.subarray(off + r0 * n, off + r1 * n);
  const out = new Float64Array((r1 - r0) * n);
  for (let r = r0; r < r1; r++) out.set(x.subarray(off + r * ld, off + r * ld + n), (r - r0) * n);
  return out;
}

/**
 * `multiplyTransposed` on an installed engine. A symmetric (`upper`) product is sent as row blocks,
 * each from its own diagonal block on (5/8 of the full product's work with four blocks); entries
 * left of that may stay unwritten, and the caller mirrors them as it does for the other kernels.
 */
function multiplyOnEngine(
  on: ProductEngine,
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  d: number,
  e: number,
  n: number,
  upper: boolean,
  aOff: number,
  lda: number,
  bOff: number,
  ldb: number,
  cOff: number,
  ldc: number,
): void {
  if (n === 0) return;
  const blocks = upper ? ENGINE_SYMMETRIC_BLOCKS : 1;
  const step = Math.ceil(d / blocks / 4) * 4;
  for (let i0 = 0; i0 < d; i0 += step) {
    const i1 = Math.min(d, i0 + step);
    const j0 = upper ? i0 : 0;
    const width = e - j0;
    const product = on.multiplyTransposed(
      rowsOf(a, aOff, lda, i0, i1, n),
      rowsOf(b, bOff, ldb, j0, e, n),
      i1 - i0,
      width,
      n,
    );
    for (let i = i0; i < i1; i++) {
      const row = cOff + i * ldc + j0;
      const p = (i - i0) * width;
      for (let j = 0; j < width; j++) c[row + j] += product[p + j];
    }
  }
}

/** C = A B for row-major A (m x k) and B (k x e), through the same blocked kernel (B is transposed first). */
export function matmul(a: Matrix64, b: Matrix64): Matrix64 {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows} x ${a.cols} times ${b.rows} x ${b.cols}`);
  const k = b.rows;
  const e = b.cols;
  const bt = transposed(b.data, k, e);
  const out = zeros64(a.rows, e);
  multiplyTransposed(a.data, bt, out.data, a.rows, e, k, false);
  return out;
}
