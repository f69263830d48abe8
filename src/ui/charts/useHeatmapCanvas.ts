import { type RefObject, useEffect, useRef, useState } from 'react';
import type { ResultPerToken } from '../../job/result';
import { drawHeatmap, type HeatmapPalette } from './drawHeatmap';
import { canvasPixelRatio, type HeatmapLayout } from './heatmapLayout';
import { useDevicePixelRatio } from './useDevicePixelRatio';

const DEFAULT_PALETTE: HeatmapPalette = { pending: '#e9ecef', missing: '#adb5bd' };

/** The pending and missing colours from the theme, as seen from `ref`. */
function usePalette(ref: RefObject<HTMLElement | null>): HeatmapPalette {
  const [palette, setPalette] = useState<HeatmapPalette>(DEFAULT_PALETTE);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Canvas cannot read CSS variables: resolve them now and again when the colour scheme flips.
    const read = () => {
      const style = getComputedStyle(el);
      setPalette({
        pending: style.getPropertyValue('--panel').trim() || DEFAULT_PALETTE.pending,
        missing: style.getPropertyValue('--muted').trim() || DEFAULT_PALETTE.missing,
      });
    };
    read();
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', read);
    return () => media?.removeEventListener('change', read);
  }, [ref]);
  return palette;
}

export interface HeatmapCanvas {
  readonly canvasRef: RefObject<HTMLCanvasElement | null>;
  /** Backing-store pixels per CSS pixel: the screen's ratio, capped for very large grids. */
  readonly pixelRatio: number;
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
  const palette = usePalette(themeRef);
  const dpr = useDevicePixelRatio();
  const pixelRatio = canvasPixelRatio(layout.gridWidth, layout.gridHeight, dpr);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !perToken) return;
    drawHeatmap(ctx, layout, perToken, palette, pixelRatio);
  }, [layout, perToken, palette, pixelRatio]);
  return { canvasRef, pixelRatio };
}
