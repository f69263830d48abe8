import { describe, expect, it } from 'vitest';
import { planWindows } from '../model/windows';
import { chunkLength, runsOf, sampleReference, seededUniform } from './referenceSample';

/** Ten documents of 100 ids each, BOS (id 1) first; document k's ids are 1000 k + position. */
const docIds = Array.from({ length: 10 }, (_, doc) => [
  1,
  ...Array.from({ length: 99 }, (_, i) => 1000 * doc + i + 1),
]);
const plans = docIds.map((ids, doc) => ({ doc, windows: planWindows(ids, 64, 1) }));
const kept = (s: { w: { ids: number[]; keepFrom: number } }) => s.w.ids.slice(s.w.keepFrom);

describe('sampleReference()', () => {
  it('seeded-chunks: exactly the budgets, from many documents, no token twice, the same for the same seed', () => {
    const sample = sampleReference(plans, { rule: 'seeded-chunks', seed: 7 }, 160, 96, 64);
    expect(sample.chunkTokens).toBe(16);
    const fitIds = sample.fit.flatMap(kept);
    const heldIds = sample.heldOut.flatMap(kept);
    expect(fitIds.length).toBe(160);
    expect(heldIds.length).toBe(96);
    expect(new Set([...fitIds, ...heldIds]).size).toBe(fitIds.length + heldIds.length);
    expect(new Set(sample.fit.map((s) => s.doc)).size).toBeGreaterThanOrEqual(5);
    // A chunk keeps its document's context: its ids run from the window's start.
    for (const s of sample.fit) expect(s.w.ids[0]).toBe(1);
    for (const s of sample.fit)
      expect(kept(s)[0]).toBe(s.w.textStart === 0 ? 1 : 1000 * s.doc + s.w.textStart);
    expect(sampleReference(plans, { rule: 'seeded-chunks', seed: 7 }, 160, 96, 64)).toEqual(sample);
    expect(sampleReference(plans, { rule: 'seeded-chunks', seed: 8 }, 160, 96, 64)).not.toEqual(sample);
  });

  it('seeded-windows: whole windows from many documents, exactly the budgets, every token run used', () => {
    const sample = sampleReference(plans, { rule: 'seeded-windows', seed: 7 }, 320, 96, 64);
    expect(sample.chunkTokens).toBe(64);
    const fitIds = sample.fit.flatMap(kept);
    const heldIds = sample.heldOut.flatMap(kept);
    expect(fitIds.length).toBe(320);
    expect(heldIds.length).toBe(96);
    const places = [...sample.fit, ...sample.heldOut].flatMap((s) =>
      kept(s).map((_, i) => `${s.doc}:${s.w.textStart + i}`),
    );
    expect(new Set(places).size).toBe(320 + 96);
    const order = [...sample.fit, ...sample.heldOut];
    expect(new Set(sample.fit.map((s) => s.doc)).size).toBeGreaterThanOrEqual(4);
    // Each drawn window is a whole planned window (the last of the fit and held-out cut short).
    for (const s of order.slice(0, -1)) {
      if (s === sample.fit[sample.fit.length - 1]) continue;
      const planned = plans[s.doc].windows.find((w) => w.textStart === s.w.textStart);
      expect(s.w.ids).toEqual(planned?.ids);
    }
    // What runs is what is kept, plus the BOS a later window gets in front: nothing else.
    const run = (xs: typeof sample.fit) => runsOf(xs).reduce((n, r) => n + r.w.ids.length, 0);
    const added = (xs: typeof sample.fit) => xs.reduce((n, s) => n + s.w.keepFrom, 0);
    expect(run(sample.fit)).toBe(320 + added(sample.fit));
    expect(run(sample.heldOut)).toBe(96 + added(sample.heldOut));
    // The chunk rule, at the same budgets, runs far more of the corpus for them.
    const chunks = sampleReference(plans, { rule: 'seeded-chunks', seed: 7 }, 320, 96, 64);
    expect(run(chunks.fit) + run(chunks.heldOut)).toBeGreaterThan(1.5 * (320 + 96 + 10));
    expect(sampleReference(plans, { rule: 'seeded-windows', seed: 7 }, 320, 96, 64)).toEqual(sample);
    expect(sampleReference(plans, { rule: 'seeded-windows', seed: 8 }, 320, 96, 64)).not.toEqual(sample);
  });

  it('prefix: the first tokens in corpus order, then the next windows held out', () => {
    const sample = sampleReference(plans, { rule: 'prefix', seed: 0 }, 160, 64, 64);
    expect(sample.fit.map((s) => s.doc)).toEqual([0, 0, 1]);
    expect(sample.fit.flatMap(kept).length).toBe(160);
    // The rest of the window the fit cut short is not used: held out are the next windows.
    expect(sample.heldOut.map((s) => [s.doc, s.w.textStart, kept(s).length])).toEqual([
      [1, 64, 36],
      [2, 0, 28],
    ]);
  });
});

describe('runsOf()', () => {
  it('runs the chunks of one window once, each kept as a span that maps to its own tokens', () => {
    const sample = sampleReference(plans, { rule: 'seeded-chunks', seed: 7 }, 400, 96, 64);
    const runs = runsOf(sample.fit);
    expect(runs.length).toBeLessThan(sample.fit.length);
    expect(new Set(runs.map((r) => `${r.doc}:${r.w.textStart - r.w.keepFrom}`)).size).toBe(runs.length);
    const kept = (run: (typeof runs)[number]) =>
      (run.spans ?? []).flatMap(([from, to]) => {
        const start = run.w.textStart + from - run.w.keepFrom;
        // What the window runs at those positions is the document's tokens there.
        expect(run.w.ids.slice(from, to)).toEqual(docIds[run.doc].slice(start, start + to - from));
        return docIds[run.doc].slice(start, start + to - from);
      });
    const fromRuns = runs.flatMap(kept).sort((a, b) => a - b);
    const fromChunks = sample.fit.flatMap((c) => c.w.ids.slice(c.w.keepFrom)).sort((a, b) => a - b);
    expect(fromRuns).toEqual(fromChunks);
    for (const run of runs) {
      const spans = run.spans ?? [];
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      expect(run.w.ids.length).toBe(spans[spans.length - 1][1]);
    }
  });
});

describe('chunkLength()', () => {
  it('aims at 64 chunks of 16..64 tokens, shorter than a window', () => {
    expect([
      chunkLength(512, 512),
      chunkLength(2048, 256),
      chunkLength(6144, 1024),
      chunkLength(4096, 20),
    ]).toEqual([16, 32, 64, 19]);
  });
});

describe('seededUniform()', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededUniform(3);
    const b = seededUniform(3);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / 1000).toBeCloseTo(0.5, 1);
  });
});
