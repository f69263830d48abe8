/**
 * The Gram kernel C += A B^T again, as a small WebAssembly SIMD module (f64x2: two float64 lanes),
 * assembled here from bytes so that no build step or binary file is needed. It computes the bulk
 * (rows in multiples of 4, columns in multiples of 2, k terms in multiples of `SIMD_K_MULTIPLE`);
 * the caller (`multiplyTransposed` in gram.ts) does the edges in plain JavaScript. Accumulation is
 * float64, as in the JavaScript kernel; only the order of the additions differs (two interleaved
 * partial sums per entry, fused multiply-adds where the engine has relaxed SIMD).
 *
 * Operands are copied ("packed") into the module's own linear memory for each call, in slabs of
 * 2048 terms of the shared dimension: O((m + e) k) copying against O(m e k) arithmetic, and a
 * bounded memory. The packed layout interleaves each block's rows by pairs of terms, so the inner
 * loop reads six vectors at fixed offsets from two pointers that simply advance (faster than reading
 * the rows in place: docs/performance.md, "Kernel design measurements"). Where WebAssembly SIMD is
 * missing, `simdKernel()` returns null and the JavaScript kernel is used.
 *
 * One concept, one file (~380 lines): the module's bytes, its packing and its driver belong
 * together; split, each part would make sense only with the others open.
 */

const KC = 512;
const JB = 64;
/** Terms of the shared dimension copied into the module per slab (a multiple of SIMD_K_MULTIPLE). */
const PACK_TERMS = 2048;
/** The SIMD kernel needs the number of k terms to be a multiple of this (the caller does the rest). */
export const SIMD_K_MULTIPLE = 2;

// --- a minimal WebAssembly assembler -------------------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let byte = x & 0x7f;
    x >>>= 7;
    if (x !== 0) byte |= 0x80;
    out.push(byte);
  } while (x !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  let x = v | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const sub = [0x6b];
const geU = [0x4f];
const mul = [0x6c];
const ltS = [0x48];
const geS = [0x4e];
const select = [0x1b];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128Load = (offset: number) => [...simd(0x00), 3, ...uleb(offset)];
const v128Zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const f64x2Add = simd(240);
const f64x2Mul = simd(242);
/** Relaxed SIMD multiply-add a * b + c (fused or not, at the engine's choice). */
const f64x2RelaxedMadd = simd(0x107);
const lane = (l: number) => [...simd(0x21), l];
const f64Load = [0x2b, 3, 0];
const f64Store = [0x39, 3, 0];
const f64Add = [0xa0];

/**
 * while (local[counter] < limit) { body; local[counter] += step } with limit and step as code;
 * `unsigned` compares as addresses.
 */
function loop(counter: number, limit: number[], step: number[], body: number[], unsigned = false): number[] {
  return [
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...get(counter),
    ...limit,
    ...(unsigned ? geU : geS),
    0x0d,
    1, // br_if to the block's end
    ...body,
    ...get(counter),
    ...step,
    ...add,
    ...set(counter),
    0x0c,
    0, // br to the loop's start
    0x0b,
    0x0b,
  ];
}

function min(a: number[], b: number[]): number[] {
  return [...a, ...b, ...a, ...b, ...ltS, ...select];
}

function max(a: number[], b: number[]): number[] {
  return [...a, ...b, ...a, ...b, ...geS, ...select];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
}

/**
 * gemm(a, b, c, m, e, n, lda, ldb, ldc, upper): byte pointers a, b, c; m rows of A (multiple of 4),
 * e rows of B (multiple of 2), n terms (even). A and B are packed by `packRows` (4- and 2-row
 * blocks), so row block i starts at a + i * lda with lda = n * 8 bytes, and likewise for B; ldc is
 * C's row stride in bytes. C[i][j] += sum_k A[i][k] B[j][k]; with upper != 0, column pairs left of
 * the row block are skipped. With `fused`, the
 * multiply-adds use relaxed SIMD's f64x2.relaxed_madd (about 1.7x faster where the engine has it:
 * Chrome 114+, Node 22+; Node 20 only behind --experimental-wasm-relaxed-simd).
 */
function assemble(fused: boolean): Uint8Array<ArrayBuffer> {
  // Parameters 0..9, then locals.
  const [A, B, C, M, E, N, LDA, LDB, LDC, UP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [K0, K1, J0, J1, I, J, PA, PB, PEND, CA] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const ACC = 20; // 8 v128 accumulators: ACC + 2 * r + c for row r (0..3) and column c (0..1)
  const X = 28; // 4 v128 row loads
  const Y = 32; // 2 v128 column loads

  // Operands are packed (see `packRows`): the four rows of an A block interleaved by pairs of terms,
  // [pair][row][2], and the two rows of a B block as [pair][row][2], so one pointer per operand
  // and immediate offsets reach every load, and both pointers just advance.
  const inner: number[] = [];
  for (let r = 0; r < 4; r++) inner.push(...get(PA), ...v128Load(16 * r), ...set(X + r));
  for (let c = 0; c < 2; c++) inner.push(...get(PB), ...v128Load(16 * c), ...set(Y + c));
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 2; c++) {
      const acc = ACC + 2 * r + c;
      if (fused) inner.push(...get(X + r), ...get(Y + c), ...get(acc), ...f64x2RelaxedMadd, ...set(acc));
      else inner.push(...get(acc), ...get(X + r), ...get(Y + c), ...f64x2Mul, ...f64x2Add, ...set(acc));
    }
  }
  inner.push(...get(PB), ...i32(32), ...add, ...set(PB));

  const block: number[] = [];
  // pa = a + i * lda + k0 * 32 (4 rows x 8 bytes per term); pb = b + j * ldb + k0 * 16
  block.push(
    ...get(A),
    ...get(I),
    ...get(LDA),
    ...mul,
    ...add,
    ...get(K0),
    ...i32(32),
    ...mul,
    ...add,
    ...set(PA),
  );
  block.push(
    ...get(B),
    ...get(J),
    ...get(LDB),
    ...mul,
    ...add,
    ...get(K0),
    ...i32(16),
    ...mul,
    ...add,
    ...set(PB),
  );
  block.push(...get(PA), ...get(K1), ...get(K0), ...sub, ...i32(32), ...mul, ...add, ...set(PEND));
  for (let q = 0; q < 8; q++) block.push(...v128Zero, ...set(ACC + q));
  block.push(...loop(PA, get(PEND), i32(64), inner, true));
  // C[i + r][j + c] += lane0 + lane1
  block.push(
    ...get(C),
    ...get(I),
    ...get(LDC),
    ...mul,
    ...add,
    ...get(J),
    ...i32(8),
    ...mul,
    ...add,
    ...set(CA),
  );
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 2; c++) {
      const acc = ACC + 2 * r + c;
      block.push(...get(CA), ...i32(8 * c), ...add); // address for the store
      block.push(...get(CA), ...i32(8 * c), ...add, ...f64Load);
      block.push(...get(acc), ...lane(0), ...get(acc), ...lane(1), ...f64Add, ...f64Add, ...f64Store);
    }
    if (r < 3) block.push(...get(CA), ...get(LDC), ...add, ...set(CA));
  }

  const rows: number[] = [];
  // j = upper ? max(j0, i) : j0
  rows.push(...max(get(J0), get(I)), ...get(J0), ...get(UP), ...select, ...set(J));
  rows.push(...loop(J, get(J1), i32(2), block));

  const panels: number[] = [];
  panels.push(...min([...get(J0), ...i32(JB), ...add], get(E)), ...set(J1));
  panels.push(...i32(0), ...set(I));
  panels.push(...loop(I, get(M), i32(4), rows));

  const chunks: number[] = [];
  chunks.push(...min([...get(K0), ...i32(KC), ...add], get(N)), ...set(K1));
  chunks.push(...i32(0), ...set(J0));
  chunks.push(...loop(J0, get(E), i32(JB), panels));

  const body: number[] = [...i32(0), ...set(K0), ...loop(K0, get(N), i32(KC), chunks), 0x0b];
  const locals = [3, ...uleb(10), I32, ...uleb(8), V128, ...uleb(6), V128];
  const func = [...locals, ...body];

  const type = section(1, [1, 0x60, 10, ...new Array<number>(10).fill(I32), 0]);
  const imports = section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 0x01]);
  const functions = section(3, [1, 0]);
  const exports = section(7, [1, ...str('gemm'), 0x00, 0]);
  const code = section(10, [1, ...uleb(func.length), ...func]);
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...type,
    ...imports,
    ...functions,
    ...exports,
    ...code,
  ]);
}

// --- the kernel ----------------------------------------------------------------------------------

type Gemm = (
  a: number,
  b: number,
  c: number,
  m: number,
  e: number,
  n: number,
  lda: number,
  ldb: number,
  ldc: number,
  upper: number,
) => void;

/** The WebAssembly kernel with its memory, or null where WebAssembly SIMD is unavailable. */
export interface SimdKernel {
  /** `relaxed-madd` when the engine has relaxed SIMD (fused multiply-add), else `simd128`. */
  readonly kind: 'relaxed-madd' | 'simd128';
  /**
   * C (m x e, row stride ldc, from cOff) += A (m x n, stride lda, from aOff) B^T (B: e x n, stride
   * ldb, from bOff), for m a multiple of 4, e a multiple of 2 and n a multiple of SIMD_K_MULTIPLE. With `upper`, column
   * pairs left of each 4-row block are skipped. `a` and `b` may be the same array.
   */
  multiply(
    a: Float64Array,
    aOff: number,
    lda: number,
    b: Float64Array,
    bOff: number,
    ldb: number,
    c: Float64Array,
    cOff: number,
    ldc: number,
    m: number,
    e: number,
    n: number,
    upper: boolean,
  ): void;
}

let cached: SimdKernel | null | undefined;

/** The shared kernel instance (created on first use); null without WebAssembly SIMD. */
export function simdKernel(): SimdKernel | null {
  if (cached === undefined) cached = createKernel();
  return cached;
}

/**
 * Engines first run a new WebAssembly function with a baseline compiler and recompile it optimised
 * once it has run for a while; only the next call uses the optimised code (a running call is not
 * replaced). The first big product in a fresh worker then ran entirely on baseline code, several
 * times slower (docs/performance.md, "Kernel design measurements"). So the kernel is exercised on a
 * small product first, a few milliseconds, which makes the engine optimise it before the real
 * products start.
 */
function warmUp(gemm: Gemm, memory: WebAssembly.Memory): void {
  const WARM_UP_CALLS = 3;
  const [m, e, n] = [64, 64, 1024];
  const bytes = (m * e + m * n + e * n) * 8;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  for (let r = 0; r < WARM_UP_CALLS; r++)
    gemm(0, m * e * 8, (m * e + m * n) * 8, m, e, n, n * 8, n * 8, e * 8, 0);
}

function createKernel(): SimdKernel | null {
  if (typeof WebAssembly === 'undefined') return null;
  let kind: SimdKernel['kind'] = 'relaxed-madd';
  let bytes = assemble(true);
  if (!WebAssembly.validate(bytes)) {
    kind = 'simd128';
    bytes = assemble(false);
    if (!WebAssembly.validate(bytes)) return null;
  }
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
  const gemm = instance.exports.gemm as Gemm;
  warmUp(gemm, memory);
  let heap = new Float64Array(memory.buffer);
  const reserve = (doubles: number) => {
    const bytesNeeded = doubles * 8;
    if (memory.buffer.byteLength < bytesNeeded) {
      memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
      heap = new Float64Array(memory.buffer);
    }
  };
  const pack = (src: Float64Array, off: number, ld: number, rows: number, cols: number, at: number) => {
    if (ld === cols) heap.set(src.subarray(off, off + rows * cols), at);
    else
      for (let r = 0; r < rows; r++) heap.set(src.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
  };
  /**
   * Copies `rows` rows (a multiple of `group`) of `w` terms (even) into blocks of `group` rows laid out
   * [pair of terms][row in block][2], block after block (each block holds group * w doubles).
   */
  const packRows = (
    src: Float64Array,
    off: number,
    ld: number,
    rows: number,
    w: number,
    group: number,
    at: number,
  ) => {
    // Block by block, written in order: for each pair of terms, that pair of every row of the block.
    let o = at;
    if (group === 4) {
      for (let r = 0; r < rows; r += 4) {
        const r0 = off + r * ld;
        const r1 = r0 + ld;
        const r2 = r1 + ld;
        const r3 = r2 + ld;
        for (let k = 0; k < w; k += 2) {
          heap[o] = src[r0 + k];
          heap[o + 1] = src[r0 + k + 1];
          heap[o + 2] = src[r1 + k];
          heap[o + 3] = src[r1 + k + 1];
          heap[o + 4] = src[r2 + k];
          heap[o + 5] = src[r2 + k + 1];
          heap[o + 6] = src[r3 + k];
          heap[o + 7] = src[r3 + k + 1];
          o += 8;
        }
      }
    } else {
      for (let r = 0; r < rows; r += 2) {
        const r0 = off + r * ld;
        const r1 = r0 + ld;
        for (let k = 0; k < w; k += 2) {
          heap[o] = src[r0 + k];
          heap[o + 1] = src[r0 + k + 1];
          heap[o + 2] = src[r1 + k];
          heap[o + 3] = src[r1 + k + 1];
          o += 4;
        }
      }
    }
  };
  return {
    kind,
    multiply(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, e, n, upper) {
      if (m === 0 || e === 0 || n === 0) return;
      // The shared dimension goes through in slabs of PACK_TERMS, so the module's memory stays at
      // (m + e) x PACK_TERMS + m x e doubles however many tokens there are.
      const width = Math.min(n, PACK_TERMS);
      const cAt = 0;
      const aAt = m * e;
      const bAt = aAt + m * width;
      reserve(bAt + e * width);
      pack(c, cOff, ldc, m, e, cAt);
      for (let k0 = 0; k0 < n; k0 += PACK_TERMS) {
        const w = Math.min(PACK_TERMS, n - k0);
        packRows(a, aOff + k0, lda, m, w, 4, aAt);
        packRows(b, bOff + k0, ldb, e, w, 2, bAt);
        gemm(aAt * 8, bAt * 8, cAt * 8, m, e, w, w * 8, w * 8, e * 8, upper ? 1 : 0);
      }
      for (let r = 0; r < m; r++) c.set(heap.subarray(cAt + r * e, cAt + (r + 1) * e), cOff + r * ldc);
    },
  };
}
