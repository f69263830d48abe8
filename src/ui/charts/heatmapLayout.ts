import type { ResultPerToken } from '../../job/result';
import { type ChartResult, pairCount, pairLabel } from './chartResult';
import { perTokenColorScale, type RelativeColorScale } from './colorScale';
import type { TokenWindow } from './heatmapWindow';
import { tokenLabel, truncateLabel } from './tokenLabel';

/** Why the heatmap has no cells to draw, or `ready`. */
export type HeatmapStatus = 'ready' | 'pending' | 'no-reference' | 'no-tokens' | 'statistics';

export interface HeatmapRowLabel {
  readonly layer: number;
  /** Top of the row within the grid. */
  readonly y: number;
  readonly label: string;
  /** `pending`: not computed yet; `no-map`: the pair had no reference map (all values null). */
  readonly state: 'ready' | 'pending' | 'no-map';
}

export interface HeatmapTokenLabel {
  readonly token: number;
  /** Centre of the column within the grid (the grid starts at the window's first token). */
  readonly x: number;
  readonly label: string;
}

export interface HeatmapLayout {
  readonly status: HeatmapStatus;
  readonly rows: number;
  /** Tokens in the result (all of them, whatever the window). */
  readonly cols: number;
  /** First token drawn (0 unless a window was given). */
  readonly start: number;
  /** One past the last token drawn (`cols` unless a window was given). */
  readonly end: number;
  readonly cellWidth: number;
  readonly cellHeight: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Width of the row-label column left of the grid. */
  readonly rowLabelWidth: number;
  /** Height of the token-label strip under the grid. */
  readonly tokenLabelHeight: number;
  /** True when the grid is wider than the space given (the grid then scrolls sideways). */
  readonly scrolls: boolean;
  readonly rowLabels: HeatmapRowLabel[];
  readonly tokenLabels: HeatmapTokenLabel[];
  /** Tokens drawn that start a new document of a corpus (each after `start`). */
  readonly docStarts: number[];
  /** Largest value drawn (exact), null when there is none. */
  readonly maxValue: number | null;
  readonly scale: RelativeColorScale;
}

export interface HeatmapLayoutOptions {
  /** Width available, row labels included. */
  readonly width: number;
  /** Narrowest column in CSS pixels before the grid scrolls instead (default 4). */
  readonly minCellWidth?: number;
  /**
   * Draw these tokens only, their columns filling the width (the detail view of a long text);
   * without it, every token, scrolling sideways below the minimum width.
   */
  readonly window?: TokenWindow;
}

/** Closest spacing of two (vertical) token labels. */
const LABEL_SPACING = 13;
const TOKEN_LABEL_CHARS = 10;

/** The pair's value for a token, undefined while the pair is pending. */
export function heatmapValue(
  perToken: ResultPerToken,
  layer: number,
  token: number,
): number | null | undefined {
  const row = perToken.nonlinearity[layer];
  return row ? (row[token] ?? null) : undefined;
}

/** Tokens from `start` to `end` that begin a new document of a corpus (token 0 never does). */
export function documentStarts(tokens: ChartResult['tokens'], start = 0, end = tokens.length): number[] {
  const starts: number[] = [];
  for (let t = Math.max(1, start); t < end; t++) if (tokens[t].doc !== tokens[t - 1].doc) starts.push(t);
  return starts;
}

export function heatmapStatus(result: ChartResult): HeatmapStatus {
  if (result.perToken === null) return result.statistics ? 'statistics' : 'no-reference';
  if (result.perToken === undefined) return 'pending';
  return result.tokens.length === 0 ? 'no-tokens' : 'ready';
}

/** Width of the row-label column left of the grid. */
export const HEATMAP_ROW_LABEL_WIDTH = 52;

/** The grid's width when the chart is `width` wide: what is left beside the row labels (40 px at least). */
export function heatmapGridSpace(width: number): number {
  return Math.max(40, width - HEATMAP_ROW_LABEL_WIDTH);
}

export function heatmapLayout(result: ChartResult, options: HeatmapLayoutOptions): HeatmapLayout {
  const rows = pairCount(result);
  const cols = result.tokens.length;
  const pt = result.perToken ?? null;
  const rowLabelWidth = HEATMAP_ROW_LABEL_WIDTH;
  const available = heatmapGridSpace(options.width);
  const minCell = options.minCellWidth ?? 4;
  const start = options.window ? Math.max(0, Math.min(cols, options.window.start)) : 0;
  const end = options.window ? Math.max(start, Math.min(cols, options.window.end)) : cols;
  const span = end - start;
  const cellWidth = options.window
    ? available / Math.max(1, span)
    : cols > 0
      ? Math.max(minCell, Math.min(48, available / cols))
      : minCell;
  // Few pairs get tall rows; 32 pairs stay under ~400 px.
  const cellHeight = Math.max(12, Math.min(28, Math.round(240 / Math.max(1, rows))));
  const gridWidth = cellWidth * span;
  const gridHeight = cellHeight * rows;

  let maxValue: number | null = null;
  const rowLabels: HeatmapRowLabel[] = [];
  for (let l = 0; l < rows; l++) {
    const row = pt?.nonlinearity[l];
    let any = false;
    if (row) {
      for (const v of row) {
        if (v === null || !Number.isFinite(v)) continue;
        any = true;
        if (maxValue === null || v > maxValue) maxValue = v;
      }
    }
    rowLabels.push({
      layer: l,
      y: l * cellHeight,
      label: pairLabel(l),
      state: !row ? 'pending' : any ? 'ready' : 'no-map',
    });
  }

  const every = Math.max(1, Math.ceil(LABEL_SPACING / cellWidth));
  const tokenLabels: HeatmapTokenLabel[] = [];
  // Labels on multiples of `every`, so that panning moves them with their tokens.
  for (let t = Math.ceil(start / every) * every; t < end; t += every) {
    tokenLabels.push({
      token: t,
      x: (t - start + 0.5) * cellWidth,
      label: truncateLabel(tokenLabel(result.tokens[t].text), TOKEN_LABEL_CHARS),
    });
  }
  const docStarts = documentStarts(result.tokens, start, end);

  return {
    status: heatmapStatus(result),
    rows,
    cols,
    start,
    end,
    cellWidth,
    cellHeight,
    gridWidth,
    gridHeight,
    rowLabelWidth,
    tokenLabelHeight: 68,
    scrolls: gridWidth > available + 0.5,
    rowLabels,
    tokenLabels,
    docStarts,
    maxValue,
    scale: perTokenColorScale(pt),
  };
}

/**
 * Device pixels per CSS pixel for the canvas: the screen's ratio, lowered when the backing store
 * would pass the browsers' limits (32,767 px a side; we keep the area under 64 M pixels).
 */
export function canvasPixelRatio(width: number, height: number, devicePixelRatio: number): number {
  const side = 32_000 / Math.max(1, width, height);
  const area = Math.sqrt(64_000_000 / Math.max(1, width * height));
  return Math.max(0.25, Math.min(devicePixelRatio || 1, side, area));
}
