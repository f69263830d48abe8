/**
 * The CLI's native products (src/model/nativeProducts.ts): onnxruntime-node's float64 GEMM behind
 * `multiplyTransposed`. Checked against the JavaScript kernel product by product, and end to end
 * against the numpy reference values of the analysis fixtures (tools/analysis_reference.py) with
 * every product, however small, sent to the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  analyzeLayers,
  cholesky,
  fitReferenceMaps,
  gram,
  type ProductEngine,
  setProductEngine,
  setSimdKernel,
  solveLowerRows,
  solveUpperRows,
} from '../../src/analysis';
import { multiplyTransposed } from '../../src/analysis/gram';
import { asFeatureMajor, matrix } from '../../src/analysis/matrix';
import { assertClose, gaussian } from '../../src/analysis/testing/asserts';
import { loadFixture } from '../../src/analysis/testing/fixture';
import { createNativeProductEngine, productModelBytes } from '../../src/model/nativeProducts';

function engine(threads = 1): ProductEngine {
  const made = createNativeProductEngine(threads);
  if (made.engine === null) throw new Error(`no native engine: ${made.reason}`);
  return made.engine;
}

/** Every product, however small, to the engine. */
const EVERY_PRODUCT = { minWork: 0, minSide: 1 };

afterEach(() => {
  setProductEngine(null);
  setSimdKernel(true);
});

/** C += A B^T with offsets and strides, by the kernel in force. */
function product(a: Float64Array, b: Float64Array, upper: boolean): Float64Array {
  // A: rows 3..3+37 of a 50 x 80 array, columns 5..5+61; B: rows 2..2+37 (or A itself), same columns.
  const c = new Float64Array(37 * 45).fill(0.5);
  if (upper) multiplyTransposed(a, a, c, 37, 37, 61, true, 3 * 80 + 5, 80, 3 * 80 + 5, 80, 0, 45);
  else multiplyTransposed(a, b, c, 37, 37, 61, false, 3 * 80 + 5, 80, 2 * 80 + 5, 80, 0, 45);
  return c;
}

describe('native products', () => {
  it('the product model is a valid ONNX model the engine loads, and it multiplies A B^T', () => {
    expect(productModelBytes().byteLength).toBeGreaterThan(50);
    const e = engine();
    expect(e.name).toBe('onnxruntime-node native GEMM (1 thread)');
    // [[1, 2], [3, 4], [5, 6]] times [[1, 1], [0, 2]]^T = [[3, 4], [7, 8], [11, 12]]
    const got = e.multiplyTransposed(
      new Float64Array([1, 2, 3, 4, 5, 6]),
      new Float64Array([1, 1, 0, 2]),
      3,
      2,
      2,
    );
    expect([...got]).toEqual([3, 4, 7, 8, 11, 12]);
  });

  it('multiplyTransposed on the engine matches the JavaScript kernel, with offsets, strides and accumulation', () => {
    const a = gaussian(1, 50 * 80);
    const b = gaussian(2, 50 * 80);
    setSimdKernel(false);
    const want = product(a, b, false);
    const wantUpper = product(a, b, true);
    setProductEngine(engine(), EVERY_PRODUCT);
    const got = product(a, b, false);
    assertClose(got, want, 1e-12, 'A B^T');
    const gotUpper = product(a, b, true);
    // The upper triangle is what a symmetric product promises; columns past 37 are untouched.
    for (let i = 0; i < 37; i++) {
      for (let j = i; j < 37; j++)
        expect(Math.abs(gotUpper[i * 45 + j] - wantUpper[i * 45 + j])).toBeLessThan(1e-12);
      for (let j = 37; j < 45; j++) expect(gotUpper[i * 45 + j]).toBe(0.5);
    }
  });

  it('gives the same products on 1 and 2 threads, to the last bits or so', () => {
    // onnxruntime's threaded GEMM does not promise the 1-thread result bit for bit (measured: a few
    // entries differ in the last bit); the CLI documents that --threads may move the last digits.
    const x = asFeatureMajor(matrix(gaussian(3, 96 * 700), 96, 700));
    setProductEngine(engine(1), EVERY_PRODUCT);
    const one = gram(x).data;
    setProductEngine(engine(2), EVERY_PRODUCT);
    const two = gram(x).data;
    const scale = Math.max(...one.map(Math.abs));
    for (let i = 0; i < one.length; i++) expect(Math.abs(two[i] - one[i])).toBeLessThan(1e-14 * scale);
  });

  it('Cholesky and both solves on the engine agree with the WebAssembly kernel (d = 150, collinear columns)', () => {
    const d = 150;
    const n = 400;
    const x = gaussian(4, d * n);
    // Column 90 = 2 x column 7; column 120 is constant: both are dropped.
    for (let k = 0; k < n; k++) {
      x[90 * n + k] = 2 * x[7 * n + k];
      x[120 * n + k] = 0;
    }
    const g = gram(asFeatureMajor(matrix(x, d, n)));
    const rows = matrix(gaussian(5, 20 * d), 20, d);
    const solve = () => {
      const f = cholesky(g);
      const z = solveLowerRows(f, rows);
      return { f, z: z.data, w: solveUpperRows(f, z).data };
    };
    const want = solve();
    setProductEngine(engine(), EVERY_PRODUCT);
    const got = solve();
    expect([...got.f.dropped]).toEqual([90, 120]);
    expect([...want.f.dropped]).toEqual([90, 120]);
    assertClose(got.f.factor.data, want.f.factor.data, 1e-10, 'L');
    assertClose(got.z, want.z, 1e-9, 'L^-1 b');
    assertClose(got.w, want.w, 1e-8, 'G^-1 b');
  });

  it("analyzeLayers with every product on the engine matches the numpy reference ('small', 'degenerate')", () => {
    setProductEngine(engine(), EVERY_PRODUCT);
    const cases = [
      ['small', {}, 'all'],
      ['small', { excludeMassive: true }, 'excludeMassive'],
      ['degenerate', {}, 'all'],
    ] as const;
    for (const [name, options, key] of cases) {
      const f = loadFixture(name);
      const got = analyzeLayers(f.states(), { ...options, intrinsicDimension: true });
      const want = f.doc.metrics[key] as {
        layers: { linearity: number | null; linearityNoResidual: number | null; rank: number | null }[];
        states: { anisotropy: number; intrinsicDimension: number | null }[];
      };
      got.layers.forEach((p, l) => {
        assertClose(p.linearity, want.layers[l].linearity, 1e-9, `${name}/${key} linearity ${l}`);
        assertClose(p.linearityNoResidual, want.layers[l].linearityNoResidual, 1e-9, `${name}/${key} u ${l}`);
        expect(p.rank).toBe(want.layers[l].rank);
      });
      got.states.forEach((s, i) => {
        assertClose(s.anisotropy, want.states[i].anisotropy, 1e-9, `${name}/${key} anisotropy ${i}`);
        assertClose(
          s.intrinsicDimension,
          want.states[i].intrinsicDimension,
          1e-9,
          `${name}/${key} twoNN ${i}`,
        );
      });
    }
  });

  it('reference maps and per-token values on the engine match the numpy reference', () => {
    setProductEngine(engine(), EVERY_PRODUCT);
    const f = loadFixture('small');
    const reference = fitReferenceMaps(f.states('reference_states'));
    const got = analyzeLayers(f.states(), { reference, companions: false });
    const heldOut = f.doc.metrics.heldOutReference as { linearity: number }[];
    got.layers.forEach((p, l) => {
      assertClose(p.heldOut?.linearity ?? null, heldOut[l].linearity, 1e-9, `held out ${l}`);
    });
    const perToken = (f.doc.metrics.perToken as { relative: number[][] }).relative;
    expect(got.perToken?.relative.length).toBe(3);
    got.perToken?.relative.forEach((row, l) => {
      assertClose(row, perToken[l], 1e-7 * Math.max(...perToken[l]), `per-token ${l}`);
    });
  });
});
