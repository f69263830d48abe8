import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../job/result';
import { parseCompareFile } from '../../share/compareFile';
import { MAX_COMPARE_ENTRIES } from '../../share/comparePermalink';
import { differencesFromBaseline, matchDescription } from './compareData';
import {
  type CompareState,
  compareReducer,
  defaultLabel,
  EMPTY_COMPARE,
  perTokenAbsence,
  seriesCheck,
  textAgreement,
} from './compareEntries';

const fixture = (name: string): LinScopeResult => {
  const parsed = parseCompareFile(name, readFileSync(`tests/fixtures/compare/${name}`, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.result;
};
const fp32 = fixture('tiny-gpt2-fp32.json');
const q8 = fixture('tiny-gpt2-q8.json');
const hacker = fixture('tiny-gpt2-hacker.json');
const random = fixture('tiny-random-gpt2.json');
const reduced = fixture('tiny-gpt2-reduced.json');

const item = (result: LinScopeResult, label = defaultLabel(result)) => ({
  label,
  result,
  perTokenAbsent: perTokenAbsence(result),
});
const withAll = (...results: LinScopeResult[]): CompareState =>
  compareReducer(EMPTY_COMPARE, { type: 'add', items: results.map((r) => item(r)) });

describe('labels and per-token reasons', () => {
  it('names model, dtype and the start of the text', () => {
    expect(defaultLabel(fp32)).toBe('tiny-gpt2 · fp32 · “In the beginning God created…”');
    expect(defaultLabel(q8)).toMatch(/^tiny-gpt2 · q8 · /);
    expect(defaultLabel(reduced)).toMatch(/^tiny-gpt2 · fp32 · reduced, \d+ tokens$/);
  });
  it('says why a result has no heatmap', () => {
    expect(perTokenAbsence(fp32)).toBeNull();
    expect(perTokenAbsence(reduced)).toMatch(/linscope reduce/);
    expect(perTokenAbsence({ ...fp32, perToken: null })).toMatch(/no reference corpus/);
    expect(perTokenAbsence({ ...fp32, perToken: null }, { leftOutOfLink: true })).toMatch(/compare link/);
  });
});

describe('textAgreement', () => {
  it('matches tokens one for one for the same text and tokenizer', () => {
    expect(textAgreement(fp32, q8)).toEqual({ kind: 'same-tokens' });
  });
  it('falls back to position for another text and says where the texts part', () => {
    const a = textAgreement(fp32, hacker);
    expect(a.kind).toBe('by-position');
    if (a.kind === 'by-position') expect(a.reason).toMatch(/188 vs 177 tokens, they part at token 0/);
    const b = textAgreement(fp32, random);
    if (b.kind === 'by-position') expect(b.reason).toMatch(/different tokenizers/);
    expect(b.kind).toBe('by-position');
  });
  it('cannot match a result without tokens', () => {
    expect(textAgreement(fp32, reduced).kind).toBe('none');
  });
});

describe('seriesCheck', () => {
  it('accepts results of one architecture', () => {
    expect(seriesCheck(withAll(fp32, q8, hacker, reduced).entries)).toEqual({ ok: true });
  });
  it('refuses mixed architectures, naming the odd one', () => {
    const s = seriesCheck(withAll(fp32, q8, random).entries);
    expect(s.ok).toBe(false);
    if (!s.ok)
      expect(s.message).toMatch(
        /tiny-random-gpt2 .* has 2 layers of width 64, the baseline .* 4 of width 128/,
      );
  });
  it('needs two results', () => {
    expect(seriesCheck(withAll(fp32).entries).ok).toBe(false);
  });
});

describe('compareReducer', () => {
  it('adds, reorders, makes a baseline, renames and removes', () => {
    let s = withAll(fp32, q8, hacker);
    const [a, b, c] = s.entries.map((e) => e.key);
    expect(new Set([a, b, c]).size).toBe(3);
    s = compareReducer(s, { type: 'move', key: c, by: -1 });
    expect(s.entries.map((e) => e.key)).toEqual([a, c, b]);
    s = compareReducer(s, { type: 'move', key: a, by: -1 });
    expect(s.entries.map((e) => e.key)).toEqual([a, c, b]);
    s = compareReducer(s, { type: 'baseline', key: b });
    expect(s.entries.map((e) => e.key)).toEqual([b, a, c]);
    s = compareReducer(s, { type: 'rename', key: a, label: 'step 1k' });
    expect(s.entries[1].label).toBe('step 1k');
    s = compareReducer(s, { type: 'remove', key: b });
    expect(s.entries.map((e) => e.key)).toEqual([a, c]);
    s = compareReducer(s, { type: 'add', items: [item(random)] });
    expect(s.entries.map((e) => e.key)).toEqual([a, c, c + 1]);
  });
  it('keeps what is there when the view is full', () => {
    const full = withAll(...Array.from({ length: MAX_COMPARE_ENTRIES + 3 }, () => fp32));
    expect(full.entries).toHaveLength(MAX_COMPARE_ENTRIES);
    const again = compareReducer(full, { type: 'add', items: [item(q8)] });
    expect(again.entries).toEqual(full.entries);
  });
});

describe('differencesFromBaseline', () => {
  it('subtracts the baseline pair by pair for one architecture, both scores', () => {
    const d = differencesFromBaseline(withAll(fp32, q8).entries);
    expect(d.map((x) => x.score)).toEqual(['linearity', 'linearityNoResidual']);
    d[0].rows.forEach((row, l) => {
      expect(row.difference).toBe(
        (q8.layers[l].linearity ?? Number.NaN) - (fp32.layers[l].linearity ?? Number.NaN),
      );
      expect(row.match).toBe('same-pair');
    });
    expect(d[1].rows[1].difference).toBe(
      (q8.layers[1].linearityNoResidual ?? Number.NaN) - (fp32.layers[1].linearityNoResidual ?? Number.NaN),
    );
  });
  it('reads a 2-pair model at a 4-pair baseline’s depths', () => {
    const d = differencesFromBaseline(withAll(fp32, random).entries)[0];
    const [r0, r1] = random.layers.map((l) => l.linearity ?? Number.NaN);
    // Baseline depths 0.125, 0.375, 0.625, 0.875; the other's pairs sit at 0.25 and 0.75.
    expect(d.rows.map((r) => r.match)).toEqual([
      'nearest-end',
      'interpolated',
      'interpolated',
      'nearest-end',
    ]);
    expect(d.rows[0].other).toBe(r0);
    expect(d.rows[1].other).toBeCloseTo(r0 + (r1 - r0) * 0.25, 14);
    expect(d.rows[1].difference).toBeCloseTo(r0 + (r1 - r0) * 0.25 - (fp32.layers[1].linearity ?? 0), 14);
    expect(matchDescription(fp32, random)).toMatch(/interpolated/);
  });
});
