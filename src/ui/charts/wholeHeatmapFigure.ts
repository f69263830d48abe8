import type { ResultPerToken } from '../../job/result';
import type { ChartResult } from './chartResult';
import { columnMaxima } from './columnMaxima';
import { drawHeatmap, type HeatmapPalette } from './drawHeatmap';
import { drawHeatmapOverview } from './drawHeatmapOverview';
import {
  canvasPixelRatio,
  HEATMAP_ROW_LABEL_WIDTH,
  type HeatmapLayout,
  heatmapLayout,
} from './heatmapLayout';

/** Widest exported grid in CSS pixels: its 2x PNG stays under the browsers' 32,767 px canvas side. */
export const EXPORT_GRID_MAX_WIDTH = 16_000;

/**
 * The layout of the exported heatmap: every token, in columns fitted to the chart's `width` but
 * at least 4 px wide (as the heatmap drew before it had a detail window), narrower only where the
 * grid would pass 16,000 px.
 */
export function wholeHeatmapLayout(result: ChartResult, width: number): HeatmapLayout {
  const cols = result.tokens.length;
  if (cols * 4 <= EXPORT_GRID_MAX_WIDTH) return heatmapLayout(result, { width });
  return heatmapLayout(result, {
    width: EXPORT_GRID_MAX_WIDTH + HEATMAP_ROW_LABEL_WIDTH,
    minCellWidth: EXPORT_GRID_MAX_WIDTH / cols,
  });
}

/**
 * The whole grid painted on a canvas off the page. Columns of a pixel or more are painted cell by
 * cell; narrower ones (over 16,000 tokens) are aggregated by their maximum, flashes kept, as in
 * the overview strip.
 */
export function paintWholeHeatmap(
  layout: HeatmapLayout,
  perToken: ResultPerToken,
  palette: HeatmapPalette,
  devicePixelRatio: number,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const ctx = () => {
    const c = canvas.getContext('2d');
    if (!c) throw new Error('heatmap export: no 2D canvas');
    return c;
  };
  if (layout.cellWidth >= 1) {
    const ratio = canvasPixelRatio(layout.gridWidth, layout.gridHeight, devicePixelRatio);
    canvas.width = Math.round(layout.gridWidth * ratio);
    canvas.height = Math.round(layout.gridHeight * ratio);
    drawHeatmap(ctx(), layout, perToken, palette, ratio);
    return canvas;
  }
  const columns = Math.round(layout.gridWidth);
  canvas.width = columns;
  canvas.height = Math.round(layout.gridHeight);
  const maxima = columnMaxima(perToken, layout.rows, layout.cols, columns);
  drawHeatmapOverview(ctx(), maxima, layout.scale, palette, layout.cellHeight);
  return canvas;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The token labels under the whole grid as an SVG off the page. Its look is written as
 * attributes (no stylesheet reaches an element off the page): `color` is the theme's muted text.
 */
export function wholeTokenLabels(layout: HeatmapLayout, color: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', String(layout.gridWidth));
  svg.setAttribute('height', String(layout.tokenLabelHeight));
  svg.setAttribute('font-family', 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace');
  svg.setAttribute('font-size', '10');
  svg.setAttribute('fill', color);
  for (const label of layout.tokenLabels) {
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('transform', `translate(${label.x},4) rotate(-90)`);
    text.setAttribute('dy', '0.32em');
    text.setAttribute('text-anchor', 'end');
    text.textContent = label.label;
    svg.appendChild(text);
  }
  return svg;
}
