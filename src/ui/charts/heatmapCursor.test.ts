import { describe, expect, it } from 'vitest';
import { loadExampleResult } from './exampleResult.testing';
import { cursorPage, heatmapCellAt, moveHeatmapCursor, sameCell, startCursor } from './heatmapCursor';
import { heatmapLayout } from './heatmapLayout';

const result = loadExampleResult();

describe('heatmapCellAt(layout, x, y)', () => {
  it('finds the cell under a point and nothing outside the grid', () => {
    const layout = heatmapLayout(result, { width: 1000 });
    const x = 77.5 * layout.cellWidth;
    const y = 3.5 * layout.cellHeight;
    expect(heatmapCellAt(layout, x, y)).toEqual({ layer: 3, token: 77 });
    expect(heatmapCellAt(layout, -1, y)).toBeNull();
    expect(heatmapCellAt(layout, x, layout.gridHeight)).toBeNull();
  });

  it('counts from the window’s first token in a detail view, and nothing past its last', () => {
    const detail = heatmapLayout(result, { width: 652, window: { start: 40, end: 100 } });
    expect(detail.cellWidth).toBe(10);
    expect(heatmapCellAt(detail, 5, 1)).toEqual({ layer: 0, token: 40 });
    expect(heatmapCellAt(detail, 595, 1)).toEqual({ layer: 0, token: 99 });
    expect(heatmapCellAt(detail, 600, 1)).toBeNull();
  });
});

describe('moveHeatmapCursor(cursor, key, grid, page)', () => {
  const grid = { rows: 5, cols: 148 };

  it('moves one cell per arrow key and clamps at the edges', () => {
    expect(moveHeatmapCursor({ layer: 2, token: 10 }, 'ArrowRight', grid, 20)).toEqual({
      layer: 2,
      token: 11,
    });
    expect(moveHeatmapCursor({ layer: 2, token: 10 }, 'ArrowUp', grid, 20)).toEqual({ layer: 1, token: 10 });
    expect(moveHeatmapCursor({ layer: 4, token: 147 }, 'ArrowDown', grid, 20)).toEqual({
      layer: 4,
      token: 147,
    });
    expect(moveHeatmapCursor({ layer: 0, token: 0 }, 'ArrowLeft', grid, 20)).toEqual({ layer: 0, token: 0 });
  });

  it('jumps with Home, End and the page keys, and ignores other keys', () => {
    expect(moveHeatmapCursor({ layer: 3, token: 50 }, 'End', grid, 20)).toEqual({ layer: 3, token: 147 });
    expect(moveHeatmapCursor({ layer: 3, token: 50 }, 'Home', grid, 20)).toEqual({ layer: 3, token: 0 });
    expect(moveHeatmapCursor({ layer: 3, token: 140 }, 'PageDown', grid, 20)).toEqual({
      layer: 3,
      token: 147,
    });
    expect(moveHeatmapCursor({ layer: 3, token: 50 }, 'PageUp', grid, 20)).toEqual({ layer: 3, token: 30 });
    expect(moveHeatmapCursor({ layer: 3, token: 50 }, 'a', grid, 20)).toBeNull();
  });
});

describe('startCursor(focusLayer) and sameCell(a, b)', () => {
  it('starts on the first token of the focused pair, else of pair 0', () => {
    expect(startCursor(3)).toEqual({ layer: 3, token: 0 });
    expect(startCursor(null)).toEqual({ layer: 0, token: 0 });
    expect(startCursor(2, 40)).toEqual({ layer: 2, token: 40 });
  });

  it('compares cells by position, and null with nothing', () => {
    expect(sameCell({ layer: 1, token: 7 }, { layer: 1, token: 7 })).toBe(true);
    expect(sameCell({ layer: 1, token: 7 }, { layer: 2, token: 7 })).toBe(false);
    expect(sameCell({ layer: 1, token: 7 }, { layer: 1, token: 8 })).toBe(false);
    expect(sameCell(null, null)).toBe(false);
    expect(sameCell({ layer: 0, token: 0 }, null)).toBe(false);
  });
});

describe('cursorPage(visibleWidth, cellWidth)', () => {
  it('pages by the whole columns in view, at least one', () => {
    expect(cursorPage(200, 6)).toBe(33);
    expect(cursorPage(948, 48)).toBe(19);
    expect(cursorPage(3, 4)).toBe(1);
  });
});
