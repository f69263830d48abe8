import { describe, expect, it } from 'vitest';
import { keptTokens } from './hiddenStates';
import { layerMoments, mergeLayerMoments, momentScores } from './layerMoments';
import { assertClose } from './testing/asserts';
import { loadFixture } from './testing/fixture';
import { momentsRelativeDiff } from './testing/moments';

interface PairRef {
  linearity: number | null;
  linearityNoResidual: number | null;
  rank: number | null;
  chanceFloor: number | null;
}

/** Token indices [from, to). */
const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);

describe('momentScores(layerMoments(states))', () => {
  it("matches the numpy reference on the 'small' fixture, all tokens and without BOS", () => {
    const f = loadFixture('small');
    const states = f.states();
    const cases: [Int32Array | undefined, string][] = [
      [undefined, 'all'],
      [keptTokens(states.tokens, [0]), 'excludeBos'],
    ];
    for (const [tokens, key] of cases) {
      const want = (f.doc.metrics[key] as { layers: PairRef[] }).layers;
      const got = momentScores(layerMoments(states, tokens));
      expect(got).toHaveLength(want.length);
      got.forEach((p, l) => {
        assertClose(p.linearity.score, want[l].linearity, 1e-9, `${key} pair ${l}`);
        assertClose(
          p.linearityNoResidual.score,
          want[l].linearityNoResidual,
          1e-9,
          `${key} pair ${l} no residual`,
        );
        expect(p.linearity.rank).toBe(want[l].rank);
        assertClose(p.linearity.chanceFloor, want[l].chanceFloor, 1e-15, `${key} pair ${l} floor`);
      });
    }
  });

  it("says null with the reason when n <= d ('short' fixture)", () => {
    const f = loadFixture('short');
    for (const p of momentScores(layerMoments(f.states()))) {
      expect(p.linearity.score).toBeNull();
      expect(p.linearity.reason).toContain('20 tokens for 32 features');
    }
  });
});

describe('mergeLayerMoments(a, b)', () => {
  it('gives the moments of the union for 1 to 4 shards, in any order, within 1e-12', () => {
    const states = loadFixture('small').states();
    const T = states.tokens;
    const whole = layerMoments(states);
    for (const k of [1, 2, 3, 4]) {
      const cuts = Array.from({ length: k + 1 }, (_, i) => Math.round((i * T) / k));
      const shards = cuts.slice(0, k).map((from, i) => layerMoments(states, range(from, cuts[i + 1])));
      expect(momentsRelativeDiff(shards.reduce(mergeLayerMoments), whole)).toBeLessThan(1e-12);
      expect(momentsRelativeDiff([...shards].reverse().reduce(mergeLayerMoments), whole)).toBeLessThan(1e-12);
    }
  });

  it('merges shards that are too small to score on their own (n <= d) into a score that exists', () => {
    const states = loadFixture('small').states();
    const d = states.hidden;
    const shards = [];
    for (let from = 0; from < states.tokens; from += d - 1)
      shards.push(layerMoments(states, range(from, Math.min(states.tokens, from + d - 1))));
    expect(shards.length).toBeGreaterThan(2);
    for (const p of momentScores(shards[0])) expect(p.linearity.score).toBeNull();
    const merged = momentScores(shards.reduce(mergeLayerMoments));
    const whole = momentScores(layerMoments(states));
    merged.forEach((p, l) => {
      assertClose(p.linearity.score, whole[l].linearity.score, 1e-12, `pair ${l}`);
    });
  });

  it('treats an empty shard as nothing, and refuses shards of different shapes', () => {
    const f = loadFixture('small');
    const whole = layerMoments(f.states());
    const empty = layerMoments(f.states(), new Int32Array(0));
    expect(empty.n).toBe(0);
    expect(mergeLayerMoments(empty, whole)).toBe(whole);
    expect(() => mergeLayerMoments(whole, layerMoments(loadFixture('short').states()))).toThrow(
      /layers of d/,
    );
  });
});
