import { perTokenCsv } from '../../share/csv';
import type { ExportAction } from './ChartFrame';
import { type ExportFigure, type ExportPiece, type FigureLabel, themeColors } from './chartExport';
import type { ChartResult } from './chartResult';
import { csvExport, EXPORT_STEMS, imageExports } from './exportActions';
import { figureCaption } from './figureCaption';
import { LEGEND_HEIGHT } from './HeatmapLegend';
import type { HeatmapLayout } from './heatmapLayout';

/** The drawn parts of the heatmap that go into an exported figure. */
export interface HeatmapFigureParts {
  readonly rows: SVGSVGElement;
  readonly canvas: HTMLCanvasElement;
  readonly tokens: SVGSVGElement;
  /** The colour legend and its drawn size, null when it is not drawn. */
  readonly legend: {
    readonly element: SVGSVGElement;
    readonly width: number;
    readonly height: number;
  } | null;
}

/** Space between the token axis title and the legend, and right of the widest piece. */
const GAP = 8;
/** Width of the column left of the row labels that holds the rotated row-axis title. */
const ROW_TITLE_WIDTH = 18;
/** Height of the row under the token labels that holds the token-axis title. */
const TOKEN_TITLE_HEIGHT = 18;

export const HEATMAP_ROW_TITLE = 'layer pair (l → l+1)';
export const HEATMAP_COLUMN_TITLE = 'token (in text order)';

/**
 * The heatmap as one figure: the row-axis title, row labels, the whole grid (however it is
 * scrolled on screen) with its token labels and the token-axis title below, then the legend
 * (whose title names the colour's unit). Placed from the layout, not from the screen; the
 * on-screen focus row, focus column and cursor are overlays that are not pieces, and the focused
 * row label's highlight is dropped when it is serialised (`chartExport.ts`).
 */
export function heatmapFigure(
  layout: Pick<HeatmapLayout, 'rowLabelWidth' | 'gridWidth' | 'gridHeight' | 'tokenLabelHeight'>,
  parts: HeatmapFigureParts,
  title: string,
  colors: { readonly background: string; readonly foreground: string },
): ExportFigure {
  const x = ROW_TITLE_WIDTH + layout.rowLabelWidth;
  const tokensBottom = layout.gridHeight + layout.tokenLabelHeight;
  const gridBottom = tokensBottom + TOKEN_TITLE_HEIGHT;
  const pieces: ExportPiece[] = [
    {
      element: parts.rows,
      x: ROW_TITLE_WIDTH,
      y: 0,
      width: layout.rowLabelWidth,
      height: layout.gridHeight,
    },
    { element: parts.canvas, x, y: 0, width: layout.gridWidth, height: layout.gridHeight },
    {
      element: parts.tokens,
      x,
      y: layout.gridHeight,
      width: layout.gridWidth,
      height: layout.tokenLabelHeight,
    },
  ];
  const { legend } = parts;
  if (legend)
    pieces.push({
      element: legend.element,
      x,
      y: gridBottom + GAP,
      width: legend.width,
      height: legend.height,
    });
  const labels: FigureLabel[] = [
    { text: HEATMAP_ROW_TITLE, x: 13, y: layout.gridHeight / 2, anchor: 'middle', vertical: true },
    { text: HEATMAP_COLUMN_TITLE, x: x + layout.gridWidth / 2, y: tokensBottom + 13, anchor: 'middle' },
  ];
  return {
    title,
    pieces,
    labels,
    width: x + Math.max(layout.gridWidth, legend?.width ?? 0) + GAP,
    height: gridBottom + GAP + LEGEND_HEIGHT,
    ...colors,
  };
}

/** The heatmap's elements on screen, any of them null while not drawn. */
export interface HeatmapElements {
  /** An element under the chart's theme (for the background and text colours). */
  readonly root: HTMLElement | null;
  readonly rows: SVGSVGElement | null;
  readonly canvas: HTMLCanvasElement | null;
  readonly tokens: SVGSVGElement | null;
  /** The element holding the legend's SVG. */
  readonly legendBox: HTMLElement | null;
}

/** The figure from the elements on screen, or null while the grid is not drawn. */
export function heatmapFigureFromDom(
  layout: HeatmapLayout,
  elements: HeatmapElements,
  modelId: string,
): ExportFigure | null {
  const { root, rows, canvas, tokens } = elements;
  if (!root || !rows || !canvas || !tokens) return null;
  const legend = elements.legendBox?.querySelector('svg');
  return heatmapFigure(
    layout,
    {
      rows,
      canvas,
      tokens,
      legend: legend
        ? { element: legend, width: legend.width.baseVal.value, height: legend.height.baseVal.value }
        : null,
    },
    `Per-token non-linearity · ${modelId}`,
    themeColors(root),
  );
}

/**
 * The heatmap's export buttons: PNG and SVG of the figure once the grid is drawn (`ready`), and
 * the per-token values as CSV in every state.
 */
export function heatmapExports(
  result: ChartResult,
  ready: boolean,
  figure: () => ExportFigure | null,
): ExportAction[] {
  const modelId = result.model.id;
  const csv = csvExport(
    'csv',
    'CSV',
    'Download the per-token values as CSV',
    modelId,
    EXPORT_STEMS.heatmapTable,
    () => perTokenCsv(result),
  );
  if (!ready) return [csv];
  return [
    ...imageExports(
      'the per-token heatmap',
      modelId,
      EXPORT_STEMS.heatmapFigure,
      figureCaption(result),
      figure,
    ),
    csv,
  ];
}
