import { describe, it } from 'vitest';
import { meanCosineSimilarity } from './cosineSimilarity';
import { stateMatrix } from './hiddenStates';
import { matrix } from './matrix';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';

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
