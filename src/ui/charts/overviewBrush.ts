import { scaleLinear } from 'd3';
import { clampWindow, type TokenWindow, type WindowLimits } from './heatmapWindow';

/** Narrowest brush drawn, in CSS pixels: a window of 100 tokens out of 20,000 is still a target. */
export const MIN_BRUSH_WIDTH = 8;

/** The brush on the overview strip, in CSS pixels from the strip's left edge. */
export interface BrushExtent {
  readonly x0: number;
  readonly x1: number;
}

/** Token positions (0 to `total`) to strip pixels (0 to `width`). */
export function overviewScale(total: number, width: number) {
  return scaleLinear()
    .domain([0, Math.max(1, total)])
    .range([0, width])
    .clamp(true);
}

/** Where the brush of `window` is drawn: at least 8 px wide, centred on the window, inside the strip. */
export function brushExtent(window: TokenWindow, total: number, width: number): BrushExtent {
  const x = overviewScale(total, width);
  let x0 = x(window.start);
  let x1 = x(window.end);
  if (x1 - x0 < MIN_BRUSH_WIDTH) {
    const mid = (x0 + x1) / 2;
    const half = Math.min(width, MIN_BRUSH_WIDTH) / 2;
    x0 = Math.max(0, Math.min(width - 2 * half, mid - half));
    x1 = x0 + 2 * half;
  }
  return { x0, x1 };
}

/**
 * The window a pointer drag over the strip selects, from `a` to `b` (either order) in strip
 * pixels; its span clamped to the limits about the drag's centre.
 */
export function windowFromBrush(
  a: number,
  b: number,
  total: number,
  width: number,
  limits: WindowLimits,
): TokenWindow {
  const x = overviewScale(total, width);
  const start = Math.floor(x.invert(Math.min(a, b)));
  const end = Math.ceil(x.invert(Math.max(a, b)));
  return clampWindow({ start, end: Math.max(end, start + 1) }, total, limits);
}

/** The window moved so that its centre lies under strip pixel `px` (a click, or a dragged brush). */
export function windowCentredAt(
  window: TokenWindow,
  px: number,
  total: number,
  width: number,
  limits: WindowLimits,
): TokenWindow {
  const centre = overviewScale(total, width).invert(px);
  const span = window.end - window.start;
  const start = Math.round(centre - span / 2);
  return clampWindow({ start, end: start + span }, total, limits);
}
