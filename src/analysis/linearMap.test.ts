import { describe, expect, it } from 'vitest';
import { centerColumns } from './center';
import { gram } from './gram';
import { stateMatrix } from './hiddenStates';
import { fitPair } from './linearity';
import { heldOutLinearity, linearMapFromFit } from './linearMap';
import { matrix } from './matrix';
import { assertClose, gaussian } from './testing/asserts';
import { loadFixture } from './testing/fixture';

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
