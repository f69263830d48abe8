import { describe, expect, it } from 'vitest';
import { hiddenStates } from './hiddenStates';
import { massiveNormTokens } from './massiveNormTokens';
import { loadFixture } from './testing/fixture';

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
