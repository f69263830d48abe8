import { describe, expect, it } from 'vitest';
import { loadExampleResult } from './exampleResult.testing';
import { flashCount, rankFlashes } from './flashRanking';

const result = loadExampleResult();
const pt = result.perToken!;

describe('rankFlashes(perToken, tokens)', () => {
  const ranked = rankFlashes(pt, result.tokens);

  it('lists the 20 largest flagged values, largest first, with their token and pair', () => {
    expect(flashCount(pt)).toBe(89);
    expect(ranked).toHaveLength(20);
    const flagged = pt.flash
      .flatMap((row, l) => row.flatMap((f, t) => (f === 1 ? [pt.nonlinearity[l][t]!] : [])))
      .sort((a, b) => b - a);
    expect(ranked.map((f) => f.value)).toEqual(flagged.slice(0, 20));
    for (const f of ranked) {
      expect(pt.flash[f.layer][f.token]).toBe(1);
      expect(pt.nonlinearity[f.layer][f.token]).toBe(f.value);
      expect(f.text).toBe(result.tokens[f.token].text);
      expect(f.threshold).toBe(pt.flashThreshold[f.layer]);
      expect(f.value).toBeGreaterThan(f.threshold!);
    }
    expect(ranked[0].value).toBe(22.046674832224802);
  });

  it('ignores values above the threshold that the analysis did not flag', () => {
    const unflagged = { ...pt, flash: pt.flash.map((row) => row.map(() => 0)) };
    expect(rankFlashes(unflagged, result.tokens)).toEqual([]);
  });

  it('skips pending rows', () => {
    const partial = { ...pt, nonlinearity: [pt.nonlinearity[0]], flash: [pt.flash[0]] };
    expect(rankFlashes(partial, result.tokens, 100).every((f) => f.layer === 0)).toBe(true);
    expect(rankFlashes(partial, result.tokens, 100)).toHaveLength(15);
  });
});
