import { describe, expect, it } from 'vitest';
import { meanCosineSimilarity } from './cosineSimilarity';
import { hiddenStates, keptTokens, stateMatrix } from './hiddenStates';
import { massiveNormTokens } from './massiveNormTokens';
import { matrix } from './matrix';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';
import { updateNormRatio } from './updateNormRatio';

describe('meanCosineSimilarity', () => {
  it('meanCosineSimilarity(X, 2X) is 1 and (X, -X) is -1', () => {
    const x = matrix(Float64Array.from([1, 2, 3, -1, 0, 4]), 2, 3);
    assertClose(
      meanCosineSimilarity(
        x,
        matrix(
          x.data.map((v) => 2 * v),
          2,
          3,
        ),
      ),
      1,
      1e-15,
      'same',
    );
    assertClose(
      meanCosineSimilarity(
        x,
        matrix(
          x.data.map((v) => -v),
          2,
          3,
        ),
      ),
      -1,
      1e-15,
      'opposite',
    );
  });

  it("meanCosineSimilarity(h[l], h[l+1]) matches numpy on the 'small' fixture", () => {
    const f = loadFixture('small');
    const h = f.states();
    const want = (f.doc.metrics.all as { layers: { cosine: number }[] }).layers;
    for (let l = 0; l < 3; l++) {
      assertClose(
        meanCosineSimilarity(stateMatrix(h, l), stateMatrix(h, l + 1)),
        want[l].cosine,
        1e-12,
        `${l}`,
      );
    }
  });
});

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

describe('massiveNormTokens', () => {
  it("massiveNormTokens(states) finds BOS and the sink token of the 'small' fixture", () => {
    const f = loadFixture('small');
    expect(massiveNormTokens(f.states())).toEqual([0, 5]);
    expect(massiveNormTokens(f.states(), 1000)).toEqual([]);
  });

  it('massiveNormTokens compares each intermediate state with its median norm', () => {
    // L = 2: only state 1 counts. Token 2 is 11x the median there; token 1 is huge only in state 0.
    const data = Float32Array.from([1, 100, 1, 1, 1, 11, 1, 1, 1]);
    expect(massiveNormTokens(hiddenStates(data, 3, 3, 1))).toEqual([2]);
  });
});
