import { describe, expect, it } from 'vitest';
import { perTokenColorScale } from './colorScale';
import { columnMaxima } from './columnMaxima';
import type { HeatmapContext } from './drawHeatmap';
import { drawHeatmapOverview } from './drawHeatmapOverview';
import { loadExampleResult } from './exampleResult.testing';

const pt = loadExampleResult().perToken!;
const palette = { pending: 'PENDING', missing: 'MISSING' };

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

describe('drawHeatmapOverview(ctx, maxima, scale, palette, rowHeight)', () => {
  // 148 tokens of 5 pairs squeezed into 40 columns of 6 px rows.
  const maxima = columnMaxima(pt, 5, 148, 40);
  const scale = perTokenColorScale(pt);

  it('fills every column of every row once, in the colour of its maximum', () => {
    const ctx = recorder();
    drawHeatmapOverview(ctx, maxima, scale, palette, 6);
    const cells = ctx.rects.filter((r) => r.h === 6);
    expect(cells.reduce((a, r) => a + r.w, 0)).toBe(5 * 40);
    const at = (x: number, y: number) =>
      cells.find((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
    expect(at(17, 2 * 6)?.style).toBe(scale.lut[scale.index(maxima.values[2 * 40 + 17])]);
  });

  it('marks each column that covers a flash with a square', () => {
    const ctx = recorder();
    drawHeatmapOverview(ctx, maxima, scale, palette, 6);
    const marks = ctx.rects.filter((r) => r.style === '#000000' || r.style === '#ffffff');
    expect(marks).toHaveLength(maxima.flash.reduce((a, f) => a + f, 0));
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect([m.w, m.h]).toEqual([2, 2]);
  });

  it('paints rows not scored yet in the pending colour', () => {
    const partial = columnMaxima({ nonlinearity: [pt.nonlinearity[0]], flash: [pt.flash[0]] }, 2, 148, 40);
    const ctx = recorder();
    drawHeatmapOverview(ctx, partial, scale, palette, 6);
    expect(ctx.rects.find((r) => r.style === 'PENDING')).toEqual({
      style: 'PENDING',
      x: 0,
      y: 6,
      w: 40,
      h: 6,
    });
  });
});
