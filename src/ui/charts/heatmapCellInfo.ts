import type { ResultToken } from '../../job/result';
import { type ChartResult, pairLabel } from './chartResult';
import { formatRelative } from './format';
import type { HeatmapCell } from './heatmapCursor';
import { type HeatmapLayout, heatmapValue } from './heatmapLayout';
import { tokenLabel } from './tokenLabel';

/** What the tooltip and the screen-reader line say about one cell. */
export interface HeatmapCellInfo {
  readonly token: ResultToken;
  /** Relative error; null: the pair had no map; undefined: the pair is pending. */
  readonly value: number | null | undefined;
  readonly flash: boolean;
  /** The pair's flash threshold, null when it has none. */
  readonly threshold: number | null;
  /** The token was left out of the in-sample fits (BOS, massive-norm tokens). */
  readonly excluded: boolean;
}

/** The cell's numbers, or null when its token is not in the result. */
export function heatmapCellInfo(result: ChartResult, cell: HeatmapCell): HeatmapCellInfo | null {
  const token = result.tokens[cell.token];
  if (!token) return null;
  const pt = result.perToken ?? null;
  const threshold = pt?.flashThreshold[cell.layer];
  return {
    token,
    value: pt ? heatmapValue(pt, cell.layer, cell.token) : undefined,
    flash: pt ? pt.flash[cell.layer]?.[cell.token] === 1 : false,
    threshold: typeof threshold === 'number' ? threshold : null,
    excluded: result.excludedTokens?.includes(cell.token) ?? false,
  };
}

/** One sentence for the cursor's cell, announced to screen readers as it moves. */
export function describeHeatmapCell(cell: HeatmapCell, info: HeatmapCellInfo): string {
  const value = info.value === undefined ? 'pending' : `${formatRelative(info.value)} × reference mean error`;
  return `Token ${cell.token} “${tokenLabel(info.token.text)}”, pair ${pairLabel(cell.layer)}: ${value}${info.flash ? ', flash' : ''}`;
}

/** The tooltip's offsets within the chart: below the cell, on the side with more room. */
export type HeatmapTooltipPosition =
  | { readonly top: number; readonly left: number }
  | { readonly top: number; readonly right: number };

/**
 * Where the tooltip of `cell` goes: 6 px under its row, 8 px beside its column's centre, to the
 * right while the column is in the left half of the visible grid and to the left after that.
 * `scrollLeft` and `visibleWidth` describe the scrolled grid; `width` is the chart's.
 */
export function heatmapTooltipPosition(
  layout: Pick<HeatmapLayout, 'rowLabelWidth' | 'cellWidth' | 'cellHeight'>,
  cell: HeatmapCell,
  view: { readonly scrollLeft: number; readonly visibleWidth: number; readonly width: number },
): HeatmapTooltipPosition {
  const x = layout.rowLabelWidth + (cell.token + 0.5) * layout.cellWidth - view.scrollLeft;
  const top = (cell.layer + 1) * layout.cellHeight + 6;
  return x - layout.rowLabelWidth > view.visibleWidth / 2
    ? { top, right: Math.max(0, view.width - x + 8) }
    : { top, left: x + 8 };
}
