import { describe, expect, it } from 'vitest';
import type { LayerPairRecord } from '../../analysis';
import type { ChartResult } from './chartResult';
import { loadExampleResult } from './exampleResult.testing';
import { clampPairRange, heldOutLabel, linearityLayout } from './linearityLayout';

const result = loadExampleResult();

describe('linearityLayout(result) on the full 0–1 axis', () => {
  const layout = linearityLayout(result, { width: 640, height: 300, axis: 'full' });

  it('puts one point per pair and series at yScale(the JSON value)', () => {
    const linearity = layout.series.find((s) => s.key === 'linearity')!;
    const noResidual = layout.series.find((s) => s.key === 'linearityNoResidual')!;
    const heldOut = layout.series.find((s) => s.key === 'heldOut')!;
    expect(linearity.points.map((p) => p.value)).toEqual(result.layers.map((l) => l.linearity));
    expect(noResidual.points.map((p) => p.value)).toEqual(result.layers.map((l) => l.linearityNoResidual));
    expect(heldOut.points.map((p) => p.value)).toEqual(result.layers.map((l) => l.heldOut?.linearity));
    for (const s of layout.series) {
      for (const p of s.points) {
        expect(p.y).toBe(layout.y(p.value));
        expect(p.x).toBe(layout.pairs[p.index].x);
      }
      expect(s.gaps).toEqual([]);
    }
    // y runs from the bottom (0) to the top (1) of the plot area.
    expect(layout.y(0)).toBe(layout.yBottom);
    expect(layout.y(1)).toBe(layout.yTop);
    expect(linearity.points[2].y).toBeCloseTo(
      layout.yBottom - 0.901686822992908 * (layout.yBottom - layout.yTop),
      9,
    );
  });

  it('spaces the pairs evenly, marks the first and last, and labels them 0→1 ...', () => {
    expect(layout.pairs.map((p) => p.label)).toEqual(['0→1', '1→2', '2→3', '3→4', '4→5']);
    expect(layout.pairs.map((p) => [p.isFirst, p.isLast])).toEqual([
      [true, false],
      [false, false],
      [false, false],
      [false, false],
      [false, true],
    ]);
    const gaps = layout.pairs.slice(1).map((p, i) => p.x - layout.pairs[i].x);
    for (const g of gaps) expect(g).toBeCloseTo(layout.pairs[0].width, 9);
  });

  it('draws the chance floor of each pair from 0 up to chanceFloor', () => {
    expect(layout.floor).toHaveLength(5);
    for (const band of layout.floor) {
      expect(band.value).toBe(0.43537414965986393);
      expect(band.y).toBe(layout.y(0.43537414965986393));
      expect(band.y + band.height).toBe(layout.y(0));
    }
  });

  it('says n and d in the subtitle and names the held-out source', () => {
    expect(layout.subtitle).toBe('n = 148 tokens, d = 64 · 5 layer pairs');
    expect(layout.series[2].label).toBe('held-out (maps fitted on 512 reference tokens)');
    expect(
      heldOutLabel({
        source: 'split',
        linearity: 0.5,
        linearityNoResidual: 0.1,
        n: 37,
        nFit: 111,
        reason: null,
      }),
    ).toBe('held-out (fitted on the first 111 tokens, scored on the last 37)');
  });

  it('keeps the y axis at [0, 1] when no score is negative', () => {
    expect(layout.yDomain).toEqual([0, 1]);
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(layout.floorBelowAxis).toBeNull();
  });
});

describe('linearityLayout(result) on the fitted axis (the default)', () => {
  const scores = result.layers.flatMap((r) =>
    [r.linearity, r.linearityNoResidual, r.heldOut?.linearity].filter(
      (v): v is number => typeof v === 'number',
    ),
  );

  it('hugs the plotted scores with nice ticks, every point inside', () => {
    const layout = linearityLayout(result, { width: 640, height: 300 });
    expect(layout.axisMode).toBe('fitted');
    // Scores from 0.38 to 0.99 here: [0.3, 1] in steps of 0.1.
    expect(Math.min(...scores)).toBeGreaterThan(0.3);
    expect(layout.yDomain).toEqual([0.3, 1]);
    expect(layout.y(0.3)).toBe(layout.yBottom);
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']);
    for (const s of layout.series)
      for (const p of s.points) {
        expect(p.y).toBeLessThanOrEqual(layout.yBottom);
        expect(p.y).toBeGreaterThanOrEqual(layout.yTop);
      }
    // The floor (0.435) is on this axis: its band runs from the axis' bottom up to it.
    expect(layout.floorBelowAxis).toBeNull();
    for (const band of layout.floor) {
      expect(band.y).toBe(layout.y(0.43537414965986393));
      expect(band.y + band.height).toBe(layout.yBottom);
    }
  });

  it('zooms to scores between 0.95 and 0.99 and reports a chance floor below the axis', () => {
    const high: ChartResult = {
      ...result,
      layers: result.layers.map((r, l) => ({
        ...r,
        linearity: 0.95 + l * 0.01,
        linearityNoResidual: 0.96,
        heldOut: { ...r.heldOut!, linearity: 0.955 },
      })),
    };
    const layout = linearityLayout(high, { width: 640, height: 300 });
    expect(layout.yDomain[0]).toBeCloseTo(0.94, 10);
    expect(layout.yDomain[1]).toBe(1);
    expect(layout.floor).toEqual([]);
    expect(layout.floorBelowAxis).toBe(0.43537414965986393);
    // The points spread over the plot instead of a flat line at its top.
    const linearity = layout.series[0].points;
    expect(linearity[0].y - linearity[4].y).toBeGreaterThan((layout.yBottom - layout.yTop) / 2);
    const full = linearityLayout(high, { width: 640, height: 300, axis: 'full' });
    expect(full.yDomain).toEqual([0, 1]);
    expect(full.floorBelowAxis).toBeNull();
    expect(full.floor).toHaveLength(5);
  });
});

describe('linearityLayout(partial or degenerate result)', () => {
  const nullPair: LayerPairRecord = {
    ...result.layers[1],
    linearity: null,
    linearityNoResidual: null,
    chanceFloor: null,
    reason: 'n <= d: 40 tokens in 64 dimensions',
    heldOut: null,
  };
  const partial: ChartResult = {
    ...result,
    layers: [result.layers[0], nullPair, result.layers[2]],
    perToken: undefined,
  };
  const layout = linearityLayout(partial, { width: 500 });

  it('leaves gaps with the reason for null scores and marks missing pairs pending', () => {
    const linearity = layout.series[0];
    expect(linearity.points.map((p) => p.index)).toEqual([0, 2]);
    expect(linearity.gaps).toEqual([
      { index: 1, x: layout.pairs[1].x, pending: false, reason: 'n <= d: 40 tokens in 64 dimensions' },
      { index: 3, x: layout.pairs[3].x, pending: true, reason: null },
      { index: 4, x: layout.pairs[4].x, pending: true, reason: null },
    ]);
    // The path is broken at the gap: two separate moves, no segment bridging pair 1.
    expect(linearity.path.match(/M/g)).toHaveLength(2);
    expect(layout.pairs.map((p) => p.pending)).toEqual([false, false, false, true, true]);
    expect(layout.floor.map((b) => b.layer)).toEqual([0, 2]);
    expect(layout.series[2].gaps[0]).toMatchObject({ index: 1, reason: 'no held-out tokens in this run' });
  });

  it('still marks the last pair from the model’s layer count while it is pending', () => {
    expect(layout.pairs[4].isLast).toBe(true);
  });

  it('extends the y axis below 0 for a negative held-out score', () => {
    const negative: ChartResult = {
      ...result,
      layers: [{ ...result.layers[0], heldOut: { ...result.layers[0].heldOut!, linearity: -0.16 } }],
    };
    const l = linearityLayout(negative, { width: 400, axis: 'full' });
    expect(l.yDomain).toEqual([-0.2, 1]);
    expect(l.series[2].points[0].y).toBe(l.y(-0.16));
    expect(l.y(-0.2)).toBe(l.yBottom);
    const fitted = linearityLayout(negative, { width: 400 });
    expect(fitted.yDomain[0]).toBeLessThan(-0.16);
    expect(fitted.series[2].points[0].y).toBeLessThan(fitted.yBottom);
  });

  it('thins x labels when columns are narrow, keeping the first and last', () => {
    const many: ChartResult = { ...result, model: { ...result.model, layers: 32 }, layers: [] };
    const l = linearityLayout(many, { width: 340 });
    const shown = l.pairs.filter((p) => p.showLabel).map((p) => p.layer);
    expect(shown[0]).toBe(0);
    expect(shown.at(-1)).toBe(31);
    expect(shown.length).toBeLessThan(16);
    for (let i = 1; i < shown.length; i++)
      expect(l.pairs[shown[i]].x - l.pairs[shown[i - 1]].x).toBeGreaterThanOrEqual(30);
    expect(l.subtitle).toBe('Waiting for the first layer pair…');
  });

  it('always labels the focused pair and drops labels that would touch it', () => {
    const many: ChartResult = { ...result, model: { ...result.model, layers: 32 }, layers: [] };
    const l = linearityLayout(many, { width: 340, focusLayer: 7 });
    const shown = l.pairs.filter((p) => p.showLabel).map((p) => p.layer);
    expect(shown).toContain(7);
    for (let i = 1; i < shown.length; i++)
      expect(l.pairs[shown[i]].x - l.pairs[shown[i - 1]].x).toBeGreaterThanOrEqual(30);
  });
});

describe('linearityLayout(result) showing some series and some pairs', () => {
  it('leaves hidden series out, and fits the axis to the ones drawn', () => {
    const all = linearityLayout(result, { width: 640, height: 300 });
    const withResidualOnly = linearityLayout(result, {
      width: 640,
      height: 300,
      hiddenSeries: new Set(['linearityNoResidual', 'heldOut']),
    });
    expect(withResidualOnly.series.map((s) => s.key)).toEqual(['linearity']);
    const shown = result.layers.map((l) => l.linearity as number);
    // The axis holds every drawn score, and no more than the drawn ones need (the others are lower).
    expect(withResidualOnly.yDomain[0]).toBeLessThanOrEqual(Math.min(...shown));
    expect(withResidualOnly.yDomain[1]).toBeGreaterThanOrEqual(Math.max(...shown));
    expect(withResidualOnly.yDomain[0]).toBeGreaterThan(all.yDomain[0]);
  });

  it('draws pairs first..last with their own indices, labels and values', () => {
    const layout = linearityLayout(result, { width: 640, height: 300, pairRange: [1, 3] });
    expect(layout.pairTotal).toBe(5);
    expect(layout.pairs.map((p) => [p.layer, p.label])).toEqual([
      [1, '1→2'],
      [2, '2→3'],
      [3, '3→4'],
    ]);
    const linearity = layout.series.find((s) => s.key === 'linearity')!;
    expect(linearity.points.map((p) => [p.index, p.value])).toEqual(
      [1, 2, 3].map((l) => [l, result.layers[l].linearity]),
    );
    for (const p of linearity.points) expect(p.x).toBe(layout.pairAt(p.index)?.x);
    expect(layout.pairAt(0)).toBeUndefined();
    expect(layout.pairAt(4)).toBeUndefined();
    // The range spans the plot: three columns fill what five did.
    expect(layout.pairs[0].width).toBeCloseTo((640 - 60 - 12) / 3, 9);
    expect(layout.subtitle).toMatch(/pairs 1→2 to 3→4 of 5$/);
  });

  it('clamps a range to the pairs there are', () => {
    expect(clampPairRange([-3, 99], 5)).toEqual([0, 4]);
    expect(clampPairRange([3, 1], 5)).toEqual([3, 3]);
    expect(clampPairRange(undefined, 5)).toEqual([0, 4]);
    expect(clampPairRange([0, 0], 0)).toEqual([0, -1]);
  });
});
