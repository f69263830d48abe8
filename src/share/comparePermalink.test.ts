import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../job/result';
import { parseCompareFile } from './compareFile';
import { decodeCompareLink, encodeCompareLink, isCompareFragment } from './comparePermalink';
import { decodePermalink } from './permalink';

const fixture = (name: string): LinScopeResult => {
  const parsed = parseCompareFile(name, readFileSync(`tests/fixtures/compare/${name}`, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.result;
};

const fp32 = fixture('tiny-gpt2-fp32.json');
const other = fixture('tiny-random-gpt2.json');
const reduced = fixture('tiny-gpt2-reduced.json');

/** float32 storage: relative error 2^-24. */
const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) return expect(a).toBe(b);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * 2 ** -23);
};

describe('compare links', () => {
  const entries = [
    { label: 'tiny-gpt2 · fp32', result: fp32 },
    { label: 'tiny-random <b>gpt2</b>', result: other },
    { label: 'reduced', result: reduced },
  ];

  it('round-trips labels, models, tokens, layer scores and heatmaps', () => {
    const link = encodeCompareLink(entries, { budget: 100_000 });
    expect(link.contents).toBe('per-token');
    expect(link.leftOut).toEqual([]);
    expect(isCompareFragment(link.fragment)).toBe(true);
    const decoded = decodeCompareLink(link.fragment);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.entries.map((e) => e.label)).toEqual(entries.map((e) => e.label));
    decoded.entries.forEach((e, i) => {
      const sent = entries[i].result;
      expect(e.result.model.id).toBe(sent.model.id);
      expect(e.result.model.dtype).toBe(sent.model.dtype);
      expect(e.result.model.layers).toBe(sent.model.layers);
      expect(e.result.model.hidden).toBe(sent.model.hidden);
      expect(e.result.tokens).toEqual(sent.tokens);
      e.result.layers.forEach((l, k) => {
        close(l.linearity, sent.layers[k].linearity);
        close(l.linearityNoResidual, sent.layers[k].linearityNoResidual);
      });
      expect(e.perTokenLeftOut).toBe(false);
    });
    expect(decoded.entries[0].result.perToken?.nonlinearity.length).toBe(4);
    expect(decoded.entries[0].result.perToken?.nonlinearity[0].length).toBe(fp32.tokens.length);
    expect(decoded.entries[2].result.statistics).toEqual(reduced.statistics);
    expect(decoded.entries[2].result.perToken).toBeNull();
  });

  it('leaves out the heatmaps, then the tokens, to fit the budget, and says so', () => {
    const full = encodeCompareLink(entries, { budget: 100_000 });
    const noHeatmap = encodeCompareLink(entries, { budget: full.urlLength - 1 });
    expect(noHeatmap.contents).toBe('tokens');
    expect(noHeatmap.leftOut.join(' ')).toMatch(/per-token heatmaps/);
    const d1 = decodeCompareLink(noHeatmap.fragment);
    if (!d1.ok) throw new Error(d1.message);
    expect(d1.entries[0].perTokenLeftOut).toBe(true);
    expect(d1.entries[0].result.perToken).toBeNull();
    expect(d1.entries[0].result.tokens).toEqual(fp32.tokens);
    expect(d1.notes.join(' ')).toMatch(/per-token heatmaps did not fit/);

    const scoresOnly = encodeCompareLink(entries, { budget: noHeatmap.urlLength - 1 });
    expect(scoresOnly.contents).toBe('layer-scores');
    expect(scoresOnly.leftOut.join(' ')).toMatch(/tokens/);
    const d2 = decodeCompareLink(scoresOnly.fragment);
    if (!d2.ok) throw new Error(d2.message);
    expect(d2.entries[0].tokensLeftOut).toBe(true);
    expect(d2.entries[0].result.tokens).toEqual([]);
    close(d2.entries[1].result.layers[1].linearity, other.layers[1].linearity);

    const tiny = encodeCompareLink(entries, { budget: 100 });
    expect(tiny.contents).toBe('layer-scores');
    expect(tiny.overBudget).toBe(true);
  });

  it('fits two prompt-sized results with their heatmaps in the default 8 KB', () => {
    const link = encodeCompareLink(entries.slice(0, 2), { baseLength: 40 });
    expect(link.contents).toBe('per-token');
    expect(link.urlLength).toBeLessThanOrEqual(8192);
  });

  it('refuses damaged, cut, foreign and newer links with a message, never throwing', () => {
    const { fragment } = encodeCompareLink(entries.slice(0, 1), { budget: 100_000 });
    const cut = decodeCompareLink(fragment.slice(0, Math.floor(fragment.length / 2)));
    expect(cut.ok).toBe(false);
    const flipped = `${fragment.slice(0, 40)}${fragment[40] === 'A' ? 'B' : 'A'}${fragment.slice(41)}`;
    const damaged = decodeCompareLink(flipped);
    expect(damaged.ok).toBe(false);
    if (!damaged.ok) expect(damaged.message).toMatch(/damaged|incomplete/);
    const newer = decodeCompareLink(fragment.replace('lsc1.', 'lsc2.'));
    expect(newer.ok).toBe(false);
    if (!newer.ok) expect(newer.message).toMatch(/newer LinScope/);
    expect(decodeCompareLink('#lsc1.!!!').ok).toBe(false);
    expect(decodeCompareLink('#ls1.abc').ok).toBe(false);
  });

  it('is told apart from single-result links, which still decode as before', () => {
    expect(isCompareFragment('#ls1.abc')).toBe(false);
    expect(isCompareFragment('#lsc1.abc')).toBe(true);
    const { fragment } = encodeCompareLink(entries.slice(0, 1), { budget: 100_000 });
    const asSingle = decodePermalink(fragment);
    expect(asSingle.ok).toBe(false);
  });
});

describe('parseCompareFile', () => {
  it('opens a result JSON, a .linscope.json file and a reduce result', () => {
    expect(fp32.tokens.length).toBe(188);
    expect(reduced.tokens).toEqual([]);
    expect(reduced.statistics?.shards).toBe(1);
    const shared = parseCompareFile(
      'x.linscope.json',
      JSON.stringify({ schema: 'linscope.share/v1', state: {}, result: fp32 }),
    );
    expect(shared.ok && shared.result.layers[2].linearity).toBe(fp32.layers[2].linearity);
  });

  it('says what is wrong with a truncated file, a foreign JSON and a damaged result', () => {
    const text = readFileSync('tests/fixtures/compare/tiny-gpt2-fp32.json', 'utf8');
    const truncated = parseCompareFile('cut.json', text.slice(0, 5000));
    expect(truncated).toEqual({
      ok: false,
      message: expect.stringMatching(/^“cut\.json” is not valid JSON: .*cut short/),
    });
    const foreign = parseCompareFile('package.json', '{"name": "x"}');
    expect(foreign.ok).toBe(false);
    if (!foreign.ok) expect(foreign.message).toMatch(/not a LinScope result/);
    const broken = JSON.parse(text);
    broken.layers[1].linearity = 'high';
    const damaged = parseCompareFile('bad.json', JSON.stringify(broken));
    expect(damaged.ok).toBe(false);
    if (!damaged.ok) expect(damaged.message).toMatch(/linearity is not a number/);
    expect(parseCompareFile('empty.json', '').ok).toBe(false);
  });
});
