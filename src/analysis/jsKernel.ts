/*
 * The Gram kernel C += A B^T in plain JavaScript: what runs where WebAssembly SIMD is missing, and
 * the edges the SIMD kernel leaves (gram.ts). It computes a 4 x 4 block of outputs at once
 * (16 accumulators, 8 loads per step), walks the shared axis in chunks of KC so that the four A
 * rows stay in L1, and sweeps B rows in panels of JB so that the panel stays in L2. Accumulation is
 * float64.
 */
const KC = 512;
const JB = 64;

/** The JavaScript kernel: 4 x 4 register blocks, same contract as `multiplyTransposed`. */
export function multiplyJs(
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
export function edges(
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
