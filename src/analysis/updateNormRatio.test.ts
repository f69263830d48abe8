import { describe, it } from 'vitest';
import { keptTokens, stateMatrix } from './hiddenStates';
import { matrix } from './matrix';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';
import { updateNormRatio } from './updateNormRatio';

describe('updateNormRatio', () => {
  it('updateNormRatio(X, 1.5 X) is 0.5', () => {
    const x = matrix(Float64Array.from([1, 2, 3, -1, 0, 4]), 2, 3);
    assertClose(
      updateNormRatio(
        x,
        matrix(
          x.data.map((v) => 1.5 * v),
          2,
          3,
        ),
      ),
      0.5,
      1e-15,
      'ratio',
    );
  });

  it("updateNormRatio(h[l], h[l+1]) matches numpy on the 'small' fixture, with tokens excluded too", () => {
    const f = loadFixture('small');
    const h = f.states();
    const all = (f.doc.metrics.all as { layers: { updateRatio: number }[] }).layers;
    const bos = (f.doc.metrics.excludeBos as { layers: { updateRatio: number }[] }).layers;
    const kept = keptTokens(h.tokens, [0]);
    for (let l = 0; l < 3; l++) {
      const x = stateMatrix(h, l);
      const y = stateMatrix(h, l + 1);
      assertClose(updateNormRatio(x, y), all[l].updateRatio, 1e-12, `${l}`);
      assertClose(updateNormRatio(x, y, kept), bos[l].updateRatio, 1e-12, `bos ${l}`);
    }
  });
});
