import { describe, expect, it } from 'vitest';
import type { ResultPerToken } from '../../job/result';
import type { ChartResult } from './chartResult';
import { drawHeatmap, type HeatmapContext } from './drawHeatmap';
import { loadExampleResult } from './exampleResult.testing';
import { canvasPixelRatio, heatmapLayout, heatmapStatus, heatmapValue } from './heatmapLayout';

const result = loadExampleResult();
const pt = result.perToken!;

/** Records fill calls with the fill style in force. */
function recorder(): HeatmapContext & {
  rects: { style: string; x: number; y: number; w: number; h: number }[];
} {
  const rects: { style: string; x: number; y: number; w: number; h: number }[] = [];
  return {
    rects,
    fillStyle: '',
    clearRect() {},
    fillRect(x, y, w, h) {
      rects.push({ style: String(this.fillStyle), x, y, w, h });
    },
  };
}

/** The style painted at a device pixel (the last rectangle covering it). */
function styleAt(rects: ReturnType<typeof recorder>['rects'], x: number, y: number): string | undefined {
  let style: string | undefined;
  for (const r of rects) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) style = r.style;
  return style;
}

describe('heatmapLayout(result)', () => {
  const layout = heatmapLayout(result, { width: 1000 });

  it('has one row per pair and one column per token, and the largest value', () => {
    expect(layout.status).toBe('ready');
    expect(layout.rows).toBe(5);
    expect(layout.cols).toBe(148);
    const max = Math.max(...pt.nonlinearity.flat().map((v) => v ?? Number.NEGATIVE_INFINITY));
    expect(layout.maxValue).toBe(max);
    expect(layout.maxValue).toBe(22.046674832224802);
  });

  it('fits the columns into the width, or scrolls at the minimum cell width', () => {
    expect(layout.cellWidth).toBeCloseTo((1000 - layout.rowLabelWidth) / 148, 12);
    expect(layout.scrolls).toBe(false);
    const phone = heatmapLayout(result, { width: 340 });
    expect(phone.cellWidth).toBe(4);
    expect(phone.gridWidth).toBe(148 * 4);
    expect(phone.scrolls).toBe(true);
  });

  it('labels rows 0→1 ... and tokens with visible whitespace, thinned to fit', () => {
    expect(layout.rowLabels.map((r) => r.label)).toEqual(['0→1', '1→2', '2→3', '3→4', '4→5']);
    expect(layout.rowLabels.every((r) => r.state === 'ready')).toBe(true);
    const every = Math.ceil(13 / layout.cellWidth);
    expect(layout.tokenLabels[1].token).toBe(every);
    expect(layout.tokenLabels[0].label).toBe('<s>');
    const wide = heatmapLayout(result, { width: 148 * 14 + 52 });
    expect(wide.tokenLabels).toHaveLength(148);
    expect(wide.tokenLabels[1].label).toBe('·Once');
    expect(wide.tokenLabels[1].x).toBe(1.5 * wide.cellWidth);
  });

  it('uses the shared log colour scale with the flash thresholds inside its domain', () => {
    expect(layout.scale.domain[1]).toBeGreaterThanOrEqual(Math.max(...pt.flashThreshold.map((v) => v!)));
    expect(layout.scale.ticks.map((t) => t.value)).toContain(1);
  });
});

describe('heatmapLayout(result, { window })', () => {
  // 60 tokens in 600 px of grid: 10 px columns.
  const detail = heatmapLayout(result, { width: 652, window: { start: 40, end: 100 } });

  it('draws the window’s tokens filling the width, and still counts every token', () => {
    expect(detail.cols).toBe(148);
    expect([detail.start, detail.end]).toEqual([40, 100]);
    expect(detail.cellWidth).toBe(10);
    expect(detail.gridWidth).toBe(600);
    expect(detail.scrolls).toBe(false);
  });

  it('labels tokens of the window on multiples of the label step, placed from its start', () => {
    expect(detail.tokenLabels[0]).toMatchObject({ token: 40, x: 5 });
    expect(detail.tokenLabels[1]).toMatchObject({ token: 42, x: 25 });
    expect(detail.tokenLabels.at(-1)?.token).toBe(98);
  });

  it('lists the tokens that start a new document of a corpus, inside the window only', () => {
    const corpus: ChartResult = {
      ...result,
      tokens: result.tokens.map((t, i) => ({ ...t, doc: i < 30 ? 0 : i < 70 ? 1 : 2 })),
    };
    expect(heatmapLayout(corpus, { width: 652, window: { start: 40, end: 100 } }).docStarts).toEqual([70]);
    expect(heatmapLayout(corpus, { width: 1000 }).docStarts).toEqual([30, 70]);
    expect(detail.docStarts).toEqual([]);
  });
});

describe('heatmapLayout(partial or empty result)', () => {
  it('says why there is nothing to draw', () => {
    expect(heatmapStatus({ ...result, perToken: null })).toBe('no-reference');
    const statistics = { tokens: 946, documents: 6, shards: 2, generator: 'linscope 0.1.0' };
    expect(heatmapStatus({ ...result, tokens: [], perToken: null, statistics })).toBe('statistics');
    expect(heatmapStatus({ ...result, perToken: undefined })).toBe('pending');
    expect(heatmapStatus({ ...result, tokens: [] })).toBe('no-tokens');
    const none = heatmapLayout({ ...result, perToken: null }, { width: 600 });
    expect(none.maxValue).toBeNull();
    expect(none.rows).toBe(5);
    expect(none.cols).toBe(148);
  });

  it('marks rows not yet computed as pending and rows of nulls as no-map', () => {
    const partialPt: ResultPerToken = {
      ...pt,
      nonlinearity: [pt.nonlinearity[0], pt.nonlinearity[1].map(() => null)],
      flash: [pt.flash[0], pt.flash[1].map(() => 0)],
    };
    const partial: ChartResult = { ...result, perToken: partialPt };
    const layout = heatmapLayout(partial, { width: 800 });
    expect(layout.rowLabels.map((r) => r.state)).toEqual([
      'ready',
      'no-map',
      'pending',
      'pending',
      'pending',
    ]);
    expect(heatmapValue(partialPt, 0, 5)).toBe(pt.nonlinearity[0][5]);
    expect(heatmapValue(partialPt, 1, 5)).toBeNull();
    expect(heatmapValue(partialPt, 3, 5)).toBeUndefined();
  });
});

describe('drawHeatmap(ctx, layout, perToken)', () => {
  const palette = { pending: 'PENDING', missing: 'MISSING' };

  it('paints each cell with the ramp colour of its value', () => {
    const layout = heatmapLayout(result, { width: 1000 });
    const ctx = recorder();
    drawHeatmap(ctx, layout, pt, palette, 2);
    for (const [l, t] of [
      [0, 0],
      [0, 1],
      [2, 40],
      [4, 147],
      [3, 100],
    ]) {
      const value = pt.nonlinearity[l][t]!;
      // Sample a pixel near the cell's corner (the flash dot sits in the centre).
      const x = Math.ceil(t * layout.cellWidth * 2) + 1;
      const y = Math.ceil(l * layout.cellHeight * 2) + 1;
      expect(styleAt(ctx.rects, x, y)).toBe(layout.scale.lut[layout.scale.index(value)]);
    }
  });

  it('covers the grid without gaps or overlaps between cells', () => {
    const layout = heatmapLayout(result, { width: 700 });
    const ctx = recorder();
    drawHeatmap(ctx, layout, { ...pt, flash: pt.flash.map((r) => r.map(() => 0)) }, palette, 1.5);
    const area = ctx.rects.reduce((a, r) => a + r.w * r.h, 0);
    expect(area).toBe(Math.round(layout.gridWidth * 1.5) * Math.round(layout.gridHeight * 1.5));
  });

  it('changes fill style at most once per colour and dots every flash', () => {
    const layout = heatmapLayout(result, { width: 1000 });
    const ctx = recorder();
    drawHeatmap(ctx, layout, pt, palette, 1);
    const flashes = pt.flash.flat().filter((f) => f === 1).length;
    const dots = ctx.rects.filter((r) => r.style === '#000000' || r.style === '#ffffff');
    expect(dots).toHaveLength(flashes);
    // Each flash dot sits inside its own cell.
    const flagged = pt.flash.flatMap((row, l) => row.flatMap((f, t) => (f === 1 ? [[l, t]] : [])));
    for (const [i, [l, t]] of flagged.entries()) {
      const d = dots.find(
        (r) =>
          Math.floor((r.x + r.w / 2) / layout.cellWidth) === t &&
          Math.floor((r.y + r.h / 2) / layout.cellHeight) === l,
      );
      expect(d, `flash ${i} at ${l},${t}`).toBeDefined();
    }
  });

  it('paints only the window’s tokens, from the grid’s left edge, dots included', () => {
    const layout = heatmapLayout(result, { width: 652, window: { start: 40, end: 100 } });
    const ctx = recorder();
    drawHeatmap(ctx, layout, pt, palette, 1);
    const value = pt.nonlinearity[2][57]!;
    expect(styleAt(ctx.rects, 171, 2 * layout.cellHeight + 1)).toBe(
      layout.scale.lut[layout.scale.index(value)],
    );
    expect(Math.max(...ctx.rects.map((r) => r.x + r.w))).toBe(600);
    const flashes = pt.flash.flatMap((r) => r.slice(40, 100)).filter((f) => f === 1).length;
    expect(flashes).toBeGreaterThan(0);
    const dots = ctx.rects.filter((r) => r.style === '#000000' || r.style === '#ffffff');
    expect(dots).toHaveLength(flashes);
    // Dots stay dots: square, not stretched.
    for (const d of dots) expect(d.w).toBe(d.h);
  });

  it('paints pending rows and null cells with the palette', () => {
    const partialPt: ResultPerToken = {
      ...pt,
      nonlinearity: [pt.nonlinearity[0].map((v, t) => (t === 3 ? null : v))],
      flash: [pt.flash[0]],
    };
    const layout = heatmapLayout({ ...result, perToken: partialPt }, { width: 1000 });
    const ctx = recorder();
    drawHeatmap(ctx, layout, partialPt, palette, 1);
    expect(styleAt(ctx.rects, Math.floor(3.5 * layout.cellWidth), 1)).toBe('MISSING');
    expect(styleAt(ctx.rects, 5, Math.floor(2.5 * layout.cellHeight))).toBe('PENDING');
  });
});

describe('canvasPixelRatio(width, height, dpr)', () => {
  it('keeps the device ratio for ordinary sizes and lowers it past the canvas limits', () => {
    expect(canvasPixelRatio(900, 140, 2)).toBe(2);
    expect(canvasPixelRatio(8000, 400, 3)).toBe(3);
    expect(canvasPixelRatio(20_000, 400, 2)).toBe(1.6);
    expect(canvasPixelRatio(8000, 12_000, 2) * 12_000).toBeLessThanOrEqual(32_000);
  });
});
