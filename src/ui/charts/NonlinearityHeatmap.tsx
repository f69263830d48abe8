import { type ReactNode, useMemo, useRef } from 'react';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import type { ChartResult } from './chartResult';
import { dataValue } from './format';
import { HeatmapGrid } from './HeatmapGrid';
import { HeatmapLegend } from './HeatmapLegend';
import { HeatmapOverview } from './HeatmapOverview';
import { HeatmapRowLabels } from './HeatmapRowLabels';
import { HeatmapTooltip } from './HeatmapTooltip';
import { HeatmapWindowControls } from './HeatmapWindowControls';
import { describeHeatmapCell, heatmapCellInfo, heatmapTooltipPosition } from './heatmapCellInfo';
import type { HeatmapCell } from './heatmapCursor';
import { heatmapExports, heatmapFigureFromDom } from './heatmapExport';
import { documentStarts, type HeatmapStatus, heatmapGridSpace, heatmapLayout } from './heatmapLayout';
import { ZOOM_STEP } from './heatmapWindow';
import { useDevicePixelRatio } from './useDevicePixelRatio';
import { useElementWidth } from './useElementWidth';
import { useHeatmapCanvas } from './useHeatmapCanvas';
import { useHeatmapCursor } from './useHeatmapCursor';
import { useHeatmapWheel } from './useHeatmapWheel';
import { useHeatmapWindow } from './useHeatmapWindow';
import { paintWholeHeatmap, wholeHeatmapLayout, wholeTokenLabels } from './wholeHeatmapFigure';
import './NonlinearityHeatmap.css';

export interface NonlinearityHeatmapProps {
  /** A full or partial result; rows not yet computed are drawn as pending. */
  readonly result: ChartResult;
  /** Row highlighted as the app's focus (null: none). */
  readonly focusLayer?: number | null;
  /** Click on a row (or Enter / Space on the keyboard cursor). */
  readonly onFocusLayer?: (layer: number) => void;
  /** Column highlighted (e.g. a token picked in the flash list); the detail window moves to show it. */
  readonly focusToken?: number | null;
  /** Bumped each time a token is chosen, even the focused one again: the window goes back to it. */
  readonly focusRequest?: number;
  /** Reported with `onFocusLayer` when a cell is clicked. */
  readonly onFocusToken?: (token: number) => void;
  /** Extra tooltip content for a cell: the slot for the logit lens's top token. */
  readonly renderTooltipExtra?: (cell: HeatmapCell) => ReactNode;
  readonly headingLevel?: HeadingLevel;
  /** What the chart says instead of its own words while it has no values (e.g. the reference fit's progress). */
  readonly note?: ReactNode;
}

const EMPTY_TEXT: Record<Exclude<HeatmapStatus, 'ready'>, string> = {
  pending: 'Per-token values arrive once every layer pair has been scored against the reference…',
  'no-reference':
    'No per-token view for this run. Each token’s error needs maps fitted on a separate reference text with many more tokens than the model has dimensions, and this run had none. Run it with a reference text (the bundled one, or your own) to see which tokens are non-linear.',
  'no-tokens': 'The input has no tokens.',
  statistics:
    'No per-token view: this result was reduced from stats files, which hold sums over tokens and no per-token values. Open the hidden states themselves, or run the model here, to see which tokens are non-linear.',
};

const EXPLAINER = (
  <>
    <p>
      Rows are layer pairs, columns are your tokens. Each cell says how badly the best linear map of that
      layer pair, fitted on a separate reference text, predicts the token’s next hidden state.
    </p>
    <p>
      The unit is the reference’s own average error: 1 is typical, 10 is ten times worse. Bright cells with a
      dot are “flashes”, tokens beyond the reference’s tail, where the layer does something distinctly
      non-linear. Click a row to focus that layer pair; the arrow keys move a cursor.
    </p>
    <p>
      A text too long for the width gets an overview strip above the grid: the whole text, each pixel column
      showing the largest value among the tokens it covers (and a mark if any of them flashes), so no flash is
      averaged away. Drag or click the strip to pick the tokens the grid below shows; zoom with the buttons, +
      and − or Ctrl + wheel, move sideways with the arrows or a sideways wheel. Lines mark where a corpus’s
      next text starts.
    </p>
  </>
);

/**
 * Per-token non-linearity: one row per layer pair, one column per token, each cell the token's
 * error under the pair's reference map relative to the reference's mean error. A text too long
 * for the width is shown as an overview strip of the whole text (pixel columns aggregated by
 * their maximum) with a brush over a detail window drawn at readable columns. Cells are painted
 * on canvases once per data, size or window change; the hover / keyboard cursor is a box moved
 * over the detail.
 */
export function NonlinearityHeatmap(props: NonlinearityHeatmapProps) {
  const { result } = props;
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const total = result.tokens.length;
  const gridSpace = heatmapGridSpace(width);
  const focusToken = props.focusToken ?? null;
  const view = useHeatmapWindow(total, gridSpace, focusToken, props.focusRequest ?? 0);
  const { start, end } = view.window;
  const layout = useMemo(
    () => heatmapLayout(result, { width, window: { start, end } }),
    [result, width, start, end],
  );
  // Where corpus documents start, over the whole text (the overview's lines).
  const docStarts = useMemo(() => documentStarts(result.tokens), [result.tokens]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<SVGSVGElement>(null);
  const legendRef = useRef<HTMLDivElement>(null);
  const pt = result.perToken ?? null;
  const ready = layout.status === 'ready' && pt !== null;
  const focus = props.focusLayer ?? null;
  const { canvasRef, pixelRatio, palette } = useHeatmapCanvas(wrapRef, layout, ready ? pt : null);
  const dpr = useDevicePixelRatio();
  const { active, handlers } = useHeatmapCursor({
    layout,
    focusLayer: focus,
    scrollRef,
    onRevealToken: view.reveal,
    onZoom: view.whole ? undefined : (factor, token) => view.zoom(factor, token + 0.5),
    onFocusLayer: props.onFocusLayer,
    onFocusToken: props.onFocusToken,
  });
  useHeatmapWheel(scrollRef, ready && !view.whole, {
    onZoom: (factor, x) => view.zoom(factor, start + x / layout.cellWidth),
    onPan: (dx) => view.pan(dx / layout.cellWidth),
  });

  // The export shows every token, whatever the window: painted off the page when asked for.
  const exports = heatmapExports(result, ready, () => {
    const root = wrapRef.current;
    if (!root || !pt) return null;
    const whole = wholeHeatmapLayout(result, width);
    const muted = getComputedStyle(root).getPropertyValue('--muted').trim() || '#5b6168';
    return heatmapFigureFromDom(
      whole,
      {
        root,
        rows: rowsRef.current,
        canvas: paintWholeHeatmap(whole, pt, palette, dpr),
        tokens: wholeTokenLabels(whole, muted),
        legendBox: legendRef.current,
      },
      result.model.id,
    );
  });

  const info = active ? heatmapCellInfo(result, active) : null;
  const thresholds = pt
    ? (focus !== null ? [pt.flashThreshold[focus]] : pt.flashThreshold).filter(
        (v): v is number => typeof v === 'number',
      )
    : [];
  const span = end - start;

  return (
    <ChartFrame
      testId="nonlinearity-heatmap"
      title="Per-token non-linearity"
      subtitle={
        pt
          ? `${layout.rows} layer pairs × ${layout.cols} tokens · maps fitted on ${pt.reference.tokens} tokens of “${pt.reference.name}”`
          : `${layout.rows} layer pairs × ${layout.cols} tokens`
      }
      headingLevel={props.headingLevel}
      exports={exports}
      rootAttributes={{
        'data-rows': layout.rows,
        'data-cols': layout.cols,
        'data-max-value': dataValue(layout.maxValue),
        'data-state': layout.status,
        'data-window-start': start,
        'data-window-end': end,
      }}
      explainer={EXPLAINER}
    >
      <div ref={wrapRef} className="lsc-measure lsc-heatmap">
        {!ready ? (
          <p className="lsc-empty" data-testid="heatmap-empty">
            {props.note ?? EMPTY_TEXT[layout.status === 'ready' ? 'pending' : layout.status]}
          </p>
        ) : (
          <>
            {!view.whole && (
              <div className="lsc-heatmap__overview-row">
                <HeatmapWindowControls
                  window={view.window}
                  limits={view.limits}
                  total={total}
                  onPage={(direction) => view.pan(direction * span)}
                  onZoom={(direction) =>
                    view.zoom(direction > 0 ? 1 / ZOOM_STEP : ZOOM_STEP, (start + end) / 2)
                  }
                />
                <HeatmapOverview
                  perToken={pt}
                  rows={layout.rows}
                  total={total}
                  width={layout.gridWidth}
                  pixelRatio={dpr}
                  scale={layout.scale}
                  palette={palette}
                  window={view.window}
                  limits={view.limits}
                  onWindow={view.setWindow}
                  docStarts={docStarts}
                  focusToken={focusToken}
                />
              </div>
            )}
            <div className="lsc-heatmap__body">
              <HeatmapRowLabels
                layout={layout}
                focusLayer={focus}
                onFocusLayer={props.onFocusLayer}
                svgRef={rowsRef}
              />
              <HeatmapGrid
                layout={layout}
                focusLayer={focus}
                focusToken={focusToken}
                active={active}
                handlers={handlers}
                pixelRatio={pixelRatio}
                scrollRef={scrollRef}
                canvasRef={canvasRef}
              />
            </div>
            {active && info && (
              <HeatmapTooltip
                cell={active}
                info={info}
                position={heatmapTooltipPosition(layout, active, {
                  scrollLeft: start * layout.cellWidth,
                  visibleWidth: layout.gridWidth,
                  width,
                })}
                extra={props.renderTooltipExtra?.(active)}
              />
            )}
            <p className="lsc-sr-only" aria-live="polite">
              {active && info ? describeHeatmapCell(active, info) : ''}
            </p>
            <div ref={legendRef} className="lsc-heatmap__legend">
              <HeatmapLegend
                scale={layout.scale}
                thresholds={thresholds}
                width={Math.min(width - layout.rowLabelWidth, 420)}
                quantile={pt.reference.quantile}
                showMissing={layout.rowLabels.some((r) => r.state === 'no-map')}
              />
            </div>
          </>
        )}
      </div>
    </ChartFrame>
  );
}
