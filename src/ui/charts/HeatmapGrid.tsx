import { type RefObject, useMemo } from 'react';
import type { HeatmapCell } from './heatmapCursor';
import type { HeatmapLayout } from './heatmapLayout';
import type { HeatmapGridHandlers } from './useHeatmapCursor';

interface HeatmapGridProps {
  readonly layout: HeatmapLayout;
  readonly focusLayer: number | null;
  readonly focusToken: number | null;
  /** The cursor's cell, null when hidden. */
  readonly active: HeatmapCell | null;
  readonly handlers: HeatmapGridHandlers;
  readonly pixelRatio: number;
  readonly scrollRef: RefObject<HTMLDivElement | null>;
  readonly canvasRef: RefObject<HTMLCanvasElement | null>;
}

/** Narrowest cursor box: visible on 4 px columns, centred on the column. */
const MIN_CURSOR_WIDTH = 8;

/**
 * The grid of the detail window (tokens `layout.start` to `layout.end`): the painted canvas, the
 * focus row and column and the documents' starts drawn over it, the cursor box and the token
 * labels underneath. It takes keyboard focus for the cursor.
 */
export function HeatmapGrid(props: HeatmapGridProps) {
  const { layout, focusLayer, focusToken, active } = props;
  // Up to ~600 labels: built once per layout so that a hover re-render leaves them alone.
  const tokenLabelNodes = useMemo(
    () =>
      layout.tokenLabels.map((t) => (
        <text
          key={t.token}
          transform={`translate(${t.x},4) rotate(-90)`}
          dy="0.32em"
          textAnchor="end"
          data-token={t.token}
        >
          {t.label}
        </text>
      )),
    [layout],
  );
  const cursorWidth = Math.max(MIN_CURSOR_WIDTH, layout.cellWidth);
  const columnX = (token: number) => (token - layout.start) * layout.cellWidth;
  const shows = (token: number | null): token is number =>
    token !== null && token >= layout.start && token < layout.end;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a canvas grid with a keyboard cursor is no form fieldset.
    <div
      ref={props.scrollRef}
      className="lsc-heatmap__scroll"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the grid must take focus for the arrow-key cursor.
      tabIndex={0}
      role="group"
      aria-label={`Heatmap, ${layout.rows} layer pairs by ${layout.cols} tokens. Arrow keys move a cursor, Enter focuses its layer pair.`}
      data-testid="heatmap-grid"
      data-window-start={layout.start}
      data-window-end={layout.end}
      {...props.handlers}
    >
      <div
        className="lsc-heatmap__grid"
        style={{ width: layout.gridWidth, height: layout.gridHeight + layout.tokenLabelHeight }}
      >
        <canvas
          ref={props.canvasRef}
          data-testid="heatmap-canvas"
          width={Math.round(layout.gridWidth * props.pixelRatio)}
          height={Math.round(layout.gridHeight * props.pixelRatio)}
          style={{ width: layout.gridWidth, height: layout.gridHeight }}
        />
        <svg
          className="lsc-heatmap__overlay"
          width={layout.gridWidth}
          height={layout.gridHeight}
          aria-hidden="true"
        >
          {focusLayer !== null && focusLayer < layout.rows && (
            <rect
              className="lsc-focus-row"
              data-testid="heatmap-focus-row"
              data-layer={focusLayer}
              x={0.5}
              y={focusLayer * layout.cellHeight + 0.5}
              width={layout.gridWidth - 1}
              height={layout.cellHeight - 1}
            />
          )}
          {layout.docStarts.map((t) => (
            <line
              key={t}
              className="lsc-doc-boundary"
              data-testid="heatmap-doc-boundary"
              data-token={t}
              x1={columnX(t)}
              x2={columnX(t)}
              y1={0}
              y2={layout.gridHeight}
            />
          ))}
          {shows(focusToken) && (
            <rect
              className="lsc-focus-col"
              data-testid="heatmap-focus-col"
              data-token={focusToken}
              x={columnX(focusToken)}
              y={0}
              width={layout.cellWidth}
              height={layout.gridHeight}
            />
          )}
        </svg>
        {active && shows(active.token) && (
          // A moved box on its own compositor layer: hovering never repaints the big canvas.
          <div
            className="lsc-cursor"
            aria-hidden="true"
            style={{
              width: cursorWidth,
              height: layout.cellHeight,
              transform: `translate(${columnX(active.token + 0.5) - cursorWidth / 2}px, ${active.layer * layout.cellHeight}px)`,
            }}
          />
        )}
        <svg
          className="lsc-heatmap__tokens"
          width={layout.gridWidth}
          height={layout.tokenLabelHeight}
          style={{ top: layout.gridHeight }}
          aria-hidden="true"
        >
          {tokenLabelNodes}
        </svg>
      </div>
    </div>
  );
}
