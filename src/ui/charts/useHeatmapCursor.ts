import { type FocusEvent, type KeyboardEvent, type MouseEvent, type RefObject, useState } from 'react';
import {
  cursorPage,
  type HeatmapCell,
  heatmapCellAt,
  moveHeatmapCursor,
  sameCell,
  startCursor,
} from './heatmapCursor';
import type { HeatmapLayout } from './heatmapLayout';

export interface HeatmapCursorOptions {
  readonly layout: HeatmapLayout;
  readonly focusLayer: number | null;
  /** The element around the grid (its first child is the grid itself). */
  readonly scrollRef: RefObject<HTMLDivElement | null>;
  /** The cursor moved to a token outside the detail window: bring it into view. */
  readonly onRevealToken?: (token: number) => void;
  /** + or − on the grid: zoom the detail by `factor` (below 1: in) about `token`. */
  readonly onZoom?: (factor: number, token: number) => void;
  readonly onFocusLayer?: (layer: number) => void;
  readonly onFocusToken?: (token: number) => void;
}

/** Handlers for the scrolling grid element. */
export interface HeatmapGridHandlers {
  onKeyDown(e: KeyboardEvent<HTMLDivElement>): void;
  onMouseMove(e: MouseEvent<HTMLDivElement>): void;
  onClick(e: MouseEvent<HTMLDivElement>): void;
  onMouseLeave(): void;
  onFocus(e: FocusEvent<HTMLDivElement>): void;
  onBlur(): void;
}

/** Visible width assumed for paging before the grid has been measured. */
const FALLBACK_VIEW = 200;
/** Zoom step of + and − on the grid. */
const ZOOM_STEP = 1.5;

/**
 * The heatmap's cursor, one cell shared by the mouse and the keyboard: hovering moves it, a click
 * or Enter / Space focuses its pair and token, the arrow, Home / End and page keys move it (and
 * bring it into the detail window), + and − zoom about it, Esc, leaving or blurring hides it.
 */
export function useHeatmapCursor(options: HeatmapCursorOptions): {
  active: HeatmapCell | null;
  handlers: HeatmapGridHandlers;
} {
  const { layout, focusLayer, scrollRef, onFocusLayer, onFocusToken, onRevealToken, onZoom } = options;
  const [active, setActive] = useState<HeatmapCell | null>(null);

  const focusCell = (cell: HeatmapCell) => {
    onFocusLayer?.(cell.layer);
    onFocusToken?.(cell.token);
  };

  const onMouse = (e: MouseEvent<HTMLDivElement>, click: boolean) => {
    const grid = e.currentTarget.firstElementChild;
    if (!grid) return;
    const r = grid.getBoundingClientRect();
    const cell = heatmapCellAt(layout, e.clientX - r.left, e.clientY - r.top);
    // Moving within a cell keeps the same state object: no re-render per pixel.
    setActive((a) => (sameCell(a, cell) ? a : cell));
    if (click && cell) focusCell(cell);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const view = scrollRef.current;
    const page = cursorPage(view?.clientWidth ?? FALLBACK_VIEW, layout.cellWidth);
    const from = active ?? startCursor(focusLayer, layout.start);
    const cell = moveHeatmapCursor(from, e.key, layout, page);
    if (cell) {
      e.preventDefault();
      setActive(cell);
      if (cell.token < layout.start || cell.token >= layout.end) onRevealToken?.(cell.token);
    } else if (onZoom && (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_')) {
      e.preventDefault();
      onZoom(e.key === '+' || e.key === '=' ? 1 / ZOOM_STEP : ZOOM_STEP, from.token);
    } else if ((e.key === 'Enter' || e.key === ' ') && active) {
      e.preventDefault();
      focusCell(active);
    } else if (e.key === 'Escape') setActive(null);
  };

  return {
    active,
    handlers: {
      onKeyDown,
      onMouseMove: (e) => onMouse(e, false),
      onClick: (e) => onMouse(e, true),
      onMouseLeave: () => setActive(null),
      onFocus: (e) => {
        // A keyboard user arriving gets a cursor at once; a click places its own.
        if (e.target === e.currentTarget && e.currentTarget.matches(':focus-visible'))
          setActive((a) => a ?? startCursor(focusLayer, layout.start));
      },
      onBlur: () => setActive(null),
    },
  };
}
