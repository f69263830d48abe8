import { type RefObject, useEffect, useRef } from 'react';
import type { ResultPerToken } from '../../job/result';
import { drawHeatmap, type HeatmapPalette } from './drawHeatmap';
import { canvasPixelRatio, type HeatmapLayout } from './heatmapLayout';
import { useDevicePixelRatio } from './useDevicePixelRatio';
import { useHeatmapPalette } from './useHeatmapPalette';

export interface HeatmapCanvas {
  readonly canvasRef: RefObject<HTMLCanvasElement | null>;
  /** Backing-store pixels per CSS pixel: the screen's ratio, capped for very large grids. */
  readonly pixelRatio: number;
  /** The theme's pending and missing colours the canvas was painted with. */
  readonly palette: HeatmapPalette;
}

/**
 * The heatmap's canvas, painted once per data, size, theme or pixel-ratio change and never on
 * hover (the cursor is a box moved over it). `themeRef` is an element under the chart's theme;
 * nothing is painted until `perToken` is given.
 */
export function useHeatmapCanvas(
  themeRef: RefObject<HTMLElement | null>,
  layout: HeatmapLayout,
  perToken: ResultPerToken | null,
): HeatmapCanvas {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const palette = useHeatmapPalette(themeRef);
  const dpr = useDevicePixelRatio();
  const pixelRatio = canvasPixelRatio(layout.gridWidth, layout.gridHeight, dpr);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !perToken) return;
    drawHeatmap(ctx, layout, perToken, palette, pixelRatio);
  }, [layout, perToken, palette, pixelRatio]);
  return { canvasRef, pixelRatio, palette };
}
