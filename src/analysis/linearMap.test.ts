import { describe, expect, it } from 'vitest';
import { centerColumns } from './center';
import { gram } from './gram';
import { stateMatrix } from './hiddenStates';
import { fitPair } from './linearity';
import {
  heldOutLinearity,
  type LinearMap,
  linearMapFromFit,
  residualBlockRows,
  tokenResiduals,
} from './linearMap';
import { matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';
import { loadFixture } from './testing/fixture';
import type { WorkArrays } from './workArrays';

function fitMap(x: ReturnType<typeof matrix>, y: ReturnType<typeof matrix>) {
  const cx = centerColumns(x);
  return linearMapFromFit(fitPair(cx, gram(cx.centered), centerColumns(y)));
}

describe('heldOutLinearity', () => {
  it('heldOutLinearity(map, X, Y) is 1 on new tokens of an exactly affine relation', () => {
    const d = 6;
    const a = gaussian(1, d * d);
    const make = (seed: number, n: number) => {
      const x = gaussian(seed, n * d);
      const y = new Float64Array(n * d);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < d; j++) {
          let s = j - 2;
          for (let k = 0; k < d; k++) s += x[i * d + k] * a[k * d + j];
          y[i * d + j] = s;
        }
      return [matrix(x, n, d), matrix(y, n, d)] as const;
    };
    const [xf, yf] = make(2, 40);
    const [xe, ye] = make(3, 7);
    const map = fitMap(xf, yf);
    const r = heldOutLinearity(map, xe, ye);
    assertClose(r.linearity, 1, 1e-10, 'next');
    assertClose(r.linearityNoResidual, 1, 1e-10, 'update');
    expect([r.n, r.nFit]).toEqual([7, 40]);
  });

  it('heldOutLinearity of independent data is below 0 on average (no optimism, unlike the in-sample d/(n-1))', () => {
    const n = 60;
    const d = 10;
    let sum = 0;
    for (let seed = 0; seed < 20; seed++) {
      const map = fitMap(matrix(gaussian(seed, n * d), n, d), matrix(gaussian(50 + seed, n * d), n, d));
      sum += heldOutLinearity(
        map,
        matrix(gaussian(100 + seed, n * d), n, d),
        matrix(gaussian(150 + seed, n * d), n, d),
      ).linearity as number;
    }
    expect(sum / 20).toBeLessThan(0);
  });

  it("heldOutLinearity(reference map, prompt) matches numpy on the 'short' fixture (prompt n <= d)", () => {
    const f = loadFixture('short');
    const ref = f.states('reference_states');
    const h = f.states();
    const want = f.doc.metrics.heldOutReference as { linearity: number; linearityNoResidual: number }[];
    for (let l = 0; l < 2; l++) {
      const map = fitMap(stateMatrix(ref, l), stateMatrix(ref, l + 1));
      expect(map.n).toBe(180);
      const r = heldOutLinearity(map, stateMatrix(h, l), stateMatrix(h, l + 1));
      assertClose(r.linearity, want[l].linearity, 1e-9, `next ${l}`);
      assertClose(r.linearityNoResidual, want[l].linearityNoResidual, 1e-9, `update ${l}`);
    }
  });

  it('heldOutLinearity throws with both sizes when the map is for another d', () => {
    const map = fitMap(matrix(gaussian(1, 40), 20, 2), matrix(gaussian(2, 40), 20, 2));
    expect(() =>
      heldOutLinearity(map, matrix(new Float64Array(9), 3, 3), matrix(new Float64Array(9), 3, 3)),
    ).toThrow('map is for d = 2, states have d = 3');
  });
});

describe('tokenResiduals', () => {
  it('goes through the tokens in blocks: each residual as computed directly, each block seen once, no n x d working array', () => {
    const d = 96;
    const block = residualBlockRows(d);
    expect(block % 4).toBe(0);
    const T = 2 * block + 1201; // three blocks, the last one odd
    const x = matrix(Float32Array.from(gaussian(21, T * d)), T, d);
    const y = matrix(Float32Array.from(gaussian(22, T * d)), T, d);
    // Every token but a few, so that block rows are not state rows.
    const rows = Int32Array.from({ length: T - 5 }, (_, i) => (i < 300 ? i : i + 5));
    const n = rows.length;
    const map: LinearMap = {
      d,
      n: 1000,
      rank: d,
      meanX: Float64Array.from(gaussian(23, d)),
      meanY: Float64Array.from(gaussian(24, d)),
      normX: 1,
      normY: 1,
      weights: Float64Array.from(gaussian(25, d * d), (v) => v / Math.sqrt(d)),
    };
    const requested: number[] = [];
    const arrays: WorkArrays = {
      zeros: (length) => {
        requested.push(length);
        return new Float64Array(length);
      },
      copyOf: (source) => {
        requested.push(source.length);
        return new Float64Array(source);
      },
      give: () => {},
    };
    const seen: [number, number][] = [];
    let shiftedOk = true;
    const residual = tokenResiduals(map, x, y, rows, arrays, (shifted, from, count) => {
      seen.push([from, count]);
      for (let k = 0; k < count; k++)
        for (let f = 0; f < d; f++)
          if (shifted[k * d + f] !== x.data[rows[from + k] * d + f] - map.meanX[f]) shiftedOk = false;
    });
    expect(seen).toEqual([
      [0, block],
      [block, block],
      [2 * block, n - 2 * block],
    ]);
    expect(shiftedOk).toBe(true);
    expect(Math.max(...requested)).toBeLessThanOrEqual(block * d);
    // Directly, in float64: ||meanY + (x_k - meanX) W - y_k||^2.
    const want = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const r = rows[k] * d;
      for (let f = 0; f < d; f++) {
        let p = map.meanY[f] - y.data[r + f];
        for (let j = 0; j < d; j++) p += (x.data[r + j] - map.meanX[j]) * map.weights[j * d + f];
        want[k] += p * p;
      }
    }
    assertClose(residual, want, 1e-10, 'residuals');
  });
});
