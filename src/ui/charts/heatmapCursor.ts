import type { HeatmapLayout } from './heatmapLayout';

/** A cell of the heatmap: layer pair (row) and token (column). */
export interface HeatmapCell {
  readonly layer: number;
  readonly token: number;
}

/**
 * The cell under a point of the grid (grid coordinates, the grid starting at token `start`, 0 when
 * absent), or null outside the tokens drawn.
 */
export function heatmapCellAt(
  layout: Pick<HeatmapLayout, 'rows' | 'cols' | 'cellWidth' | 'cellHeight'> &
    Partial<Pick<HeatmapLayout, 'start' | 'end'>>,
  x: number,
  y: number,
): HeatmapCell | null {
  const start = layout.start ?? 0;
  const end = layout.end ?? layout.cols;
  const token = start + Math.floor(x / layout.cellWidth);
  const layer = Math.floor(y / layout.cellHeight);
  if (x < 0 || token < start || layer < 0 || token >= end || layer >= layout.rows) return null;
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

/**
 * Where the keyboard cursor starts: the first token drawn (`firstToken`, 0 by default) of the
 * focused pair (of the first pair without one).
 */
export function startCursor(focusLayer: number | null, firstToken = 0): HeatmapCell {
  return { layer: focusLayer ?? 0, token: firstToken };
}

export function sameCell(a: HeatmapCell | null, b: HeatmapCell | null): boolean {
  return a !== null && b !== null && a.layer === b.layer && a.token === b.token;
}

/** Columns PageUp / PageDown move: as many as the visible part of the grid shows, at least one. */
export function cursorPage(visibleWidth: number, cellWidth: number): number {
  return Math.max(1, Math.floor(visibleWidth / cellWidth));
}
