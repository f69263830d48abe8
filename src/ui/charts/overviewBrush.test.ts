import { describe, expect, it } from 'vitest';
import { windowLimits } from './heatmapWindow';
import { brushExtent, MIN_BRUSH_WIDTH, windowCentredAt, windowFromBrush } from './overviewBrush';

// 20,000 tokens in a 500 px strip: 40 tokens per pixel; the detail shows 13 to 125 tokens.
const TOTAL = 20_000;
const WIDTH = 500;
const limits = windowLimits(TOTAL, WIDTH);

describe('brushExtent(window, total, width)', () => {
  it('maps the window to strip pixels', () => {
    expect(brushExtent({ start: 4000, end: 8000 }, TOTAL, WIDTH)).toEqual({ x0: 100, x1: 200 });
  });

  it('widens a narrow window to 8 px about its centre, inside the strip', () => {
    const { x0, x1 } = brushExtent({ start: 10_000, end: 10_100 }, TOTAL, WIDTH);
    expect(x1 - x0).toBe(MIN_BRUSH_WIDTH);
    expect((x0 + x1) / 2).toBeCloseTo(251.25, 10);
    expect(brushExtent({ start: 0, end: 100 }, TOTAL, WIDTH)).toEqual({ x0: 0, x1: 8 });
    expect(brushExtent({ start: 19_900, end: 20_000 }, TOTAL, WIDTH)).toEqual({ x0: 492, x1: 500 });
  });
});

describe('windowFromBrush(a, b, total, width, limits)', () => {
  it('selects the tokens under a drag, either way round', () => {
    expect(windowFromBrush(100, 102, TOTAL, WIDTH, limits)).toEqual({ start: 4000, end: 4080 });
    expect(windowFromBrush(102, 100, TOTAL, WIDTH, limits)).toEqual({ start: 4000, end: 4080 });
  });

  it('clamps a wide drag to the most tokens the detail shows, about the drag’s centre', () => {
    const w = windowFromBrush(100, 300, TOTAL, WIDTH, limits);
    expect(w.end - w.start).toBe(limits.maxSpan);
    expect((w.start + w.end) / 2).toBeCloseTo(8000, -1);
  });

  it('keeps drags past the strip’s ends inside the text', () => {
    const w = windowFromBrush(-50, 1, TOTAL, WIDTH, limits);
    expect(w.start).toBe(0);
    expect(windowFromBrush(499, 600, TOTAL, WIDTH, limits).end).toBe(TOTAL);
  });
});

describe('windowCentredAt(window, px, total, width, limits)', () => {
  it('centres the window’s span on the token under a pixel', () => {
    expect(windowCentredAt({ start: 0, end: 100 }, 250, TOTAL, WIDTH, limits)).toEqual({
      start: 9950,
      end: 10_050,
    });
    expect(windowCentredAt({ start: 0, end: 100 }, 0, TOTAL, WIDTH, limits)).toEqual({ start: 0, end: 100 });
  });
});
