import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../job/result';
import { decodePermalink, encodePermalink } from './permalink';
import { recordedExample } from './permalink.testing';
import type { Quantisation } from './permalinkResult';
import { verifyRestored } from './permalinkVerify';

function restoredFromLink(): { original: LinScopeResult; restored: LinScopeResult; q: Quantisation } {
  const { state, result } = recordedExample();
  const decoded = decodePermalink(encodePermalink(state, result).fragment);
  if (!decoded.ok || !decoded.result || !decoded.quantisation) throw new Error('the link should open');
  return { original: result, restored: decoded.result, q: decoded.quantisation };
}

describe('verifyRestored', () => {
  it('agrees with the run the link was made from, within the quantisation bounds alone', () => {
    const { original, restored, q } = restoredFromLink();
    const outcome = verifyRestored(restored, original, q);
    expect(outcome.agrees).toBe(true);
    expect(outcome.scoreDiff).toBeLessThanOrEqual(q.scoreRelative);
    expect(outcome.cellDiff).toBeLessThanOrEqual(q.cellRelative as number);
    expect(outcome.summary).toMatch(
      /^Agrees: layer scores differ by at most .* heatmap cells by at most .*%/,
    );
  });

  it('differs when a score moved by more than storage and run-to-run allow', () => {
    const { original, restored, q } = restoredFromLink();
    const moved: LinScopeResult = {
      ...original,
      layers: original.layers.map((l, i) =>
        i === 1 ? { ...l, linearity: (l.linearity as number) - 0.01 } : l,
      ),
    };
    const outcome = verifyRestored(restored, moved, q);
    expect(outcome.agrees).toBe(false);
    expect(outcome.scoreDiff).toBeCloseTo(0.01, 4);
    expect(outcome.summary).toMatch(/^Differs/);
  });

  it('differs when a heatmap cell moved by 10%', () => {
    const { original, restored, q } = restoredFromLink();
    const perToken = original.perToken;
    if (!perToken) throw new Error('the example has a heatmap');
    const moved: LinScopeResult = {
      ...original,
      perToken: {
        ...perToken,
        nonlinearity: perToken.nonlinearity.map((row, l) =>
          l === 0 ? row.map((v, t) => (t === 5 && v !== null ? v * 1.1 : v)) : row,
        ),
      },
    };
    expect(verifyRestored(restored, moved, q).agrees).toBe(false);
  });

  it('says so when the text tokenises differently', () => {
    const { original, restored, q } = restoredFromLink();
    const outcome = verifyRestored(restored, { ...original, tokens: original.tokens.slice(1) }, q);
    expect(outcome.agrees).toBe(false);
    expect(outcome.summary).toMatch(/tokenises differently/);
  });
});
