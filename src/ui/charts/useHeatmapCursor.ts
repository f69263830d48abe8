import { type FocusEvent, type KeyboardEvent, type MouseEvent, type RefObject, useState } from 'react';
import {
  cursorPage,
  type HeatmapCell,
  heatmapCellAt,
  moveHeatmapCursor,
  sameCell,
  scrollToColumn,
  startCursor,
} from './heatmapCursor';
import type { HeatmapLayout } from './heatmapLayout';

export interface HeatmapCursorOptions {
  readonly layout: HeatmapLayout;
  readonly focusLayer: number | null;
  /** The scrolling element around the grid (its first child is the grid itself). */
  readonly scrollRef: RefObject<HTMLDivElement | null>;
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

/**
 * The heatmap's cursor, one cell shared by the mouse and the keyboard: hovering moves it, a click
 * or Enter / Space focuses its pair and token, the arrow, Home / End and page keys move it (and
 * scroll it into view), Esc, leaving or blurring hides it.
 */
export function useHeatmapCursor(options: HeatmapCursorOptions): {
  active: HeatmapCell | null;
  handlers: HeatmapGridHandlers;
} {
  const { layout, focusLayer, scrollRef, onFocusLayer, onFocusToken } = options;
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
    const cell = moveHeatmapCursor(active ?? startCursor(focusLayer), e.key, layout, page);
    if (cell) {
      e.preventDefault();
      setActive(cell);
      if (view) {
        const left = scrollToColumn(cell.token, layout.cellWidth, view.scrollLeft, view.clientWidth);
        if (left !== null) view.scrollLeft = left;
      }
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
          setActive((a) => a ?? startCursor(focusLayer));
      },
      onBlur: () => setActive(null),
    },
  };
}
