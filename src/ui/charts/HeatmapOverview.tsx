import { type KeyboardEvent, type PointerEvent, useEffect, useMemo, useRef } from 'react';
import type { ResultPerToken } from '../../job/result';
import type { RelativeColorScale } from './colorScale';
import { columnMaxima } from './columnMaxima';
import type { HeatmapPalette } from './drawHeatmap';
import { drawHeatmapOverview } from './drawHeatmapOverview';
import { type TokenWindow, type WindowLimits, windowAfterKey } from './heatmapWindow';
import { brushExtent, overviewScale, windowCentredAt, windowFromBrush } from './overviewBrush';

interface HeatmapOverviewProps {
  readonly perToken: ResultPerToken;
  readonly rows: number;
  /** Tokens in the text. */
  readonly total: number;
  /** CSS pixels: the detail grid's width, so that the two line up. */
  readonly width: number;
  readonly pixelRatio: number;
  readonly scale: RelativeColorScale;
  readonly palette: HeatmapPalette;
  readonly window: TokenWindow;
  readonly limits: WindowLimits;
  readonly onWindow: (window: TokenWindow) => void;
  /** Tokens that start a new document of a corpus. */
  readonly docStarts: readonly number[];
  readonly focusToken: number | null;
}

/** Rows of the strip: 40 px in all for a few pairs, 2 to 10 px each. */
export function overviewRowHeight(rows: number): number {
  return Math.max(2, Math.min(10, Math.round(40 / Math.max(1, rows))));
}

/** A pointer drag on the strip: moving the brush, or drawing a new one from `from`. */
type Drag =
  | { readonly kind: 'move'; readonly offset: number }
  | { readonly kind: 'select'; readonly from: number };

/** Pixels a press may travel and still count as a click (centre the window there). */
const CLICK_SLOP = 3;

/**
 * The whole text in the detail's width: every pair, each pixel column the maximum of the tokens
 * it covers (flashes marked), with a brush over the detail window. Drag the brush to move it,
 * drag elsewhere to select a new window, click to centre it there; on the keyboard the brush
 * is a slider (arrows, PageUp / PageDown, Home / End move it, + and − zoom).
 */
export function HeatmapOverview(props: HeatmapOverviewProps) {
  const { perToken, rows, total, width, pixelRatio, scale, palette, window, limits, onWindow } = props;
  const rowHeight = overviewRowHeight(rows);
  const height = rows * rowHeight;
  const columns = Math.max(1, Math.round(width * pixelRatio));
  const deviceRow = Math.max(1, Math.round(rowHeight * pixelRatio));
  // Once per data and width: 28,697 tokens x 4 pairs take a few milliseconds.
  const maxima = useMemo(
    () => columnMaxima(perToken, rows, total, columns),
    [perToken, rows, total, columns],
  );
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (ctx) drawHeatmapOverview(ctx, maxima, scale, palette, deviceRow);
  }, [maxima, scale, palette, deviceRow]);

  const x = overviewScale(total, width);
  const brush = brushExtent(window, total, width);
  // One line per pixel column with a document start, however many documents share it.
  const docPath = useMemo(() => {
    const xs = new Set(props.docStarts.map((t) => Math.round(overviewScale(total, width)(t)) + 0.5));
    return [...xs].map((px) => `M${px},0V${height}`).join('');
  }, [props.docStarts, total, width, height]);

  const drag = useRef<Drag | null>(null);
  const pressAt = useRef(0);
  const localX = (e: PointerEvent<HTMLDivElement>) =>
    e.clientX - e.currentTarget.getBoundingClientRect().left;
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const px = localX(e);
    pressAt.current = px;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current =
      px >= brush.x0 && px <= brush.x1
        ? { kind: 'move', offset: px - (brush.x0 + brush.x1) / 2 }
        : { kind: 'select', from: px };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const px = localX(e);
    if (d.kind === 'move') onWindow(windowCentredAt(window, px - d.offset, total, width, limits));
    else if (Math.abs(px - d.from) > CLICK_SLOP) onWindow(windowFromBrush(d.from, px, total, width, limits));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d?.kind === 'select' && Math.abs(localX(e) - pressAt.current) <= CLICK_SLOP)
      onWindow(windowCentredAt(window, pressAt.current, total, width, limits));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = windowAfterKey(window, e.key, total, limits);
    if (!next) return;
    e.preventDefault();
    onWindow(next);
  };

  const focus = props.focusToken;
  return (
    <div
      className="lsc-overview"
      data-testid="heatmap-overview"
      data-tokens={total}
      data-columns={columns}
      data-window-start={window.start}
      data-window-end={window.end}
      style={{ width, height }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => {
        drag.current = null;
      }}
    >
      <canvas
        ref={canvasRef}
        data-testid="heatmap-overview-canvas"
        width={columns}
        height={rows * deviceRow}
        style={{ width, height }}
      />
      <svg className="lsc-overview__marks" width={width} height={height} aria-hidden="true">
        {docPath && (
          <path
            className="lsc-doc-boundary"
            data-testid="heatmap-overview-docs"
            data-count={props.docStarts.length}
            d={docPath}
          />
        )}
        {focus !== null && focus < total && (
          <path
            className="lsc-overview__focus"
            data-testid="heatmap-overview-focus"
            data-token={focus}
            d={`M${x(focus + 0.5)},${height}l-4,5h8z`}
          />
        )}
      </svg>
      <div
        className="lsc-overview__brush"
        role="slider"
        tabIndex={0}
        aria-label="Detail window over the whole text. Arrow keys move it, plus and minus zoom."
        aria-valuemin={0}
        aria-valuemax={Math.max(0, total - (window.end - window.start))}
        aria-valuenow={window.start}
        aria-valuetext={`Tokens ${window.start + 1} to ${window.end} of ${total}`}
        data-testid="heatmap-brush"
        style={{ left: brush.x0, width: brush.x1 - brush.x0, height }}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
