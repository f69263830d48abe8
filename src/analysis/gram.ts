import { type FeatureMajor, type Matrix64, transposed, zeros64 } from './matrix';
import { SIMD_K_MULTIPLE, simdKernel } from './simdKernel';

/*
 * The Gram products X^T X and X^T Y dominate the cost of every fit (n d^2 multiply-adds each;
 * Cholesky is d^3/3). Inputs are feature-major (d x n), so entry (i, j) is the dot product of two
 * contiguous rows. Everything heavy in this folder (Grams, blocked Cholesky and solves, residuals,
 * TwoNN distances, logit-lens logits) goes through `multiplyTransposed`: the WebAssembly SIMD
 * kernel (simdKernel.ts) for the bulk where available, and the JavaScript kernel below otherwise
 * and for the edges. The JavaScript kernel computes a 4 x 4 block of outputs at once
 * (16 accumulators, 8 loads per step), walks the shared axis in chunks of KC so that the four A
 * rows stay in L1, and sweeps B rows in panels of JB so that the panel stays in L2. Accumulation is
 * float64 throughout. Measured on a 2.8 GHz Xeon under Node 20 (idle): about 3.5 GFLOP/s for the
 * JavaScript kernel; the SIMD kernel was 1.3-2x faster, and 2.5-3x with relaxed-SIMD FMA.
 */
const KC = 512;
const JB = 64;

/** G = X X^T for feature-major X (d x n): the d x d Gram matrix of the centred data. Symmetric. */
export function gram(x: FeatureMajor): Matrix64 {
  const d = x.rows;
  const out = zeros64(d, d);
  multiplyTransposed(x.data, x.data, out.data, d, d, x.cols, true);
  // Only blocks on or above the diagonal were computed; mirror them.
  mirrorUpper(out.data, d);
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

/** C = X Y^T for feature-major X (d x n) and Y (e x n): the cross-Gram X^T Y in token-major terms. */
export function crossGram(x: FeatureMajor, y: FeatureMajor): Matrix64 {
  if (x.cols !== y.cols) {
    throw new RangeError(`crossGram: token counts differ, ${x.cols} vs ${y.cols}`);
  }
  const out = zeros64(x.rows, y.rows);
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

/** The JavaScript kernel: 4 x 4 register blocks, same contract as `multiplyTransposed`. */
function multiplyJs(
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
  const d4 = d - (d % 4);
  const e4 = e - (e % 4);
  for (let k0 = 0; k0 < n; k0 += KC) {
    const k1 = Math.min(n, k0 + KC);
    for (let j0 = 0; j0 < e4; j0 += JB) {
      const j1 = Math.min(e4, j0 + JB);
      for (let i = 0; i < d4; i += 4) {
        const a0 = aOff + i * lda;
        const a1 = a0 + lda;
        const a2 = a1 + lda;
        const a3 = a2 + lda;
        const jStart = upper ? Math.max(j0, i) : j0;
        for (let j = jStart; j < j1; j += 4) {
          const b0 = bOff + j * ldb;
          const b1 = b0 + ldb;
          const b2 = b1 + ldb;
          const b3 = b2 + ldb;
          let c00 = 0;
          let c01 = 0;
          let c02 = 0;
          let c03 = 0;
          let c10 = 0;
          let c11 = 0;
          let c12 = 0;
          let c13 = 0;
          let c20 = 0;
          let c21 = 0;
          let c22 = 0;
          let c23 = 0;
          let c30 = 0;
          let c31 = 0;
          let c32 = 0;
          let c33 = 0;
          for (let k = k0; k < k1; k++) {
            const x0 = a[a0 + k];
            const x1 = a[a1 + k];
            const x2 = a[a2 + k];
            const x3 = a[a3 + k];
            const y0 = b[b0 + k];
            const y1 = b[b1 + k];
            const y2 = b[b2 + k];
            const y3 = b[b3 + k];
            c00 += x0 * y0;
            c01 += x0 * y1;
            c02 += x0 * y2;
            c03 += x0 * y3;
            c10 += x1 * y0;
            c11 += x1 * y1;
            c12 += x1 * y2;
            c13 += x1 * y3;
            c20 += x2 * y0;
            c21 += x2 * y1;
            c22 += x2 * y2;
            c23 += x2 * y3;
            c30 += x3 * y0;
            c31 += x3 * y1;
            c32 += x3 * y2;
            c33 += x3 * y3;
          }
          let r = cOff + i * ldc + j;
          c[r] += c00;
          c[r + 1] += c01;
          c[r + 2] += c02;
          c[r + 3] += c03;
          r += ldc;
          c[r] += c10;
          c[r + 1] += c11;
          c[r + 2] += c12;
          c[r + 3] += c13;
          r += ldc;
          c[r] += c20;
          c[r + 1] += c21;
          c[r + 2] += c22;
          c[r + 3] += c23;
          r += ldc;
          c[r] += c30;
          c[r + 1] += c31;
          c[r + 2] += c32;
          c[r + 3] += c33;
        }
      }
    }
  }
  edges(a, b, c, d, e, n, upper, aOff, lda, bOff, ldb, cOff, ldc, d4, e4);
}

/** Entries outside the blocked part: rows d4..d-1 (from d4 on with `upper`), and columns eb..e-1. */
function edges(
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
  d4: number,
  eb: number,
): void {
  for (let i = 0; i < d; i++) {
    const jFrom = i >= d4 ? (upper ? d4 : 0) : eb;
    for (let j = jFrom; j < e; j++) c[cOff + i * ldc + j] += dot(a, aOff + i * lda, b, bOff + j * ldb, n);
  }
}

/** Dot product of a[ao..ao+n) and b[bo..bo+n), four independent partial sums. */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
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
