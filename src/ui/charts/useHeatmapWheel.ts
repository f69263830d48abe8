import { type RefObject, useEffect, useRef } from 'react';

export interface HeatmapWheelHandlers {
  /** Ctrl + wheel or a trackpad pinch: zoom by `factor` (below 1: in) about grid pixel `x`. */
  readonly onZoom: (factor: number, x: number) => void;
  /** A sideways wheel or Shift + wheel: move by `dx` CSS pixels. */
  readonly onPan: (dx: number) => void;
}

/** Pixels of wheel travel that zoom by e (a notch of 100 px zooms by about 1.5). */
const ZOOM_PIXELS = 250;

/**
 * Wheel zoom and pan on the detail grid (`ref`). A plain vertical wheel is left to the page, so
 * that scrolling past the chart still works. Registered as a non-passive listener: React's wheel
 * handlers cannot prevent the browser's own zoom or scroll.
 */
export function useHeatmapWheel(
  ref: RefObject<HTMLElement | null>,
  enabled: boolean,
  handlers: HeatmapWheelHandlers,
) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const el = ref.current;
    if (!el || !enabled) return;
    const onWheel = (e: WheelEvent) => {
      const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? el.clientWidth : 1;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const grid = el.firstElementChild ?? el;
        const x = e.clientX - grid.getBoundingClientRect().left;
        latest.current.onZoom(Math.exp((e.deltaY * scale) / ZOOM_PIXELS), x);
        return;
      }
      const dx = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX;
      if (dx === 0 || (!e.shiftKey && Math.abs(e.deltaX) < Math.abs(e.deltaY))) return;
      e.preventDefault();
      latest.current.onPan(dx * scale);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [ref, enabled]);
}
