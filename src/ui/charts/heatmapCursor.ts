import type { HeatmapLayout } from './heatmapLayout';

/** A cell of the heatmap: layer pair (row) and token (column). */
export interface HeatmapCell {
  readonly layer: number;
  readonly token: number;
}

/** Space kept beside a column scrolled into view, so the cursor does not sit on the edge. */
const SCROLL_MARGIN = 24;

/** The cell under a point of the grid (grid coordinates), or null outside it. */
export function heatmapCellAt(
  layout: Pick<HeatmapLayout, 'rows' | 'cols' | 'cellWidth' | 'cellHeight'>,
  x: number,
  y: number,
): HeatmapCell | null {
  const token = Math.floor(x / layout.cellWidth);
  const layer = Math.floor(y / layout.cellHeight);
  if (token < 0 || layer < 0 || token >= layout.cols || layer >= layout.rows) return null;
  return { layer, token };
}

/**
 * The keyboard cursor after a key: arrows move one cell, Home / End jump to the row's ends,
 * PageUp / PageDown move `page` columns; clamped to the grid. null for any other key.
 */
export function moveHeatmapCursor(
  cursor: HeatmapCell,
  key: string,
  grid: { rows: number; cols: number },
  page: number,
): HeatmapCell | null {
  const { layer, token } = cursor;
  const next: Record<string, [number, number]> = {
    ArrowLeft: [layer, token - 1],
    ArrowRight: [layer, token + 1],
    ArrowUp: [layer - 1, token],
    ArrowDown: [layer + 1, token],
    Home: [layer, 0],
    End: [layer, grid.cols - 1],
    PageUp: [layer, token - page],
    PageDown: [layer, token + page],
  };
  const move = next[key];
  if (!move) return null;
  return {
    layer: Math.min(grid.rows - 1, Math.max(0, move[0])),
    token: Math.min(grid.cols - 1, Math.max(0, move[1])),
  };
}

/** Where the keyboard cursor starts: the first token of the focused pair (of the first pair without one). */
export function startCursor(focusLayer: number | null): HeatmapCell {
  return { layer: focusLayer ?? 0, token: 0 };
}

export function sameCell(a: HeatmapCell | null, b: HeatmapCell | null): boolean {
  return a !== null && b !== null && a.layer === b.layer && a.token === b.token;
}

/** Columns PageUp / PageDown move: as many as the visible part of the grid shows, at least one. */
export function cursorPage(visibleWidth: number, cellWidth: number): number {
  return Math.max(1, Math.floor(visibleWidth / cellWidth));
}

/**
 * The scroll offset that brings column `token` into a view `viewWidth` wide scrolled to
 * `scrollLeft`, with a margin beyond it; null when the column shows already.
 */
export function scrollToColumn(
  token: number,
  cellWidth: number,
  scrollLeft: number,
  viewWidth: number,
): number | null {
  const x0 = token * cellWidth;
  const x1 = x0 + cellWidth;
  if (x0 < scrollLeft) return x0 - SCROLL_MARGIN;
  if (x1 > scrollLeft + viewWidth) return x1 - viewWidth + SCROLL_MARGIN;
  return null;
}
