import { type ReactNode, useMemo, useRef, useState } from 'react';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import type { ChartResult } from './chartResult';
import { dataValue } from './format';
import { HeatmapGrid } from './HeatmapGrid';
import { HeatmapLegend } from './HeatmapLegend';
import { HeatmapRowLabels } from './HeatmapRowLabels';
import { HeatmapTooltip } from './HeatmapTooltip';
import { describeHeatmapCell, heatmapCellInfo, heatmapTooltipPosition } from './heatmapCellInfo';
import type { HeatmapCell } from './heatmapCursor';
import { heatmapExports, heatmapFigureFromDom } from './heatmapExport';
import { type HeatmapStatus, heatmapLayout } from './heatmapLayout';
import { useElementWidth } from './useElementWidth';
import { useHeatmapCanvas } from './useHeatmapCanvas';
import { useHeatmapCursor } from './useHeatmapCursor';
import './NonlinearityHeatmap.css';

export interface NonlinearityHeatmapProps {
  /** A full or partial result; rows not yet computed are drawn as pending. */
  readonly result: ChartResult;
  /** Row highlighted as the app's focus (null: none). */
  readonly focusLayer?: number | null;
  /** Click on a row (or Enter / Space on the keyboard cursor). */
  readonly onFocusLayer?: (layer: number) => void;
  /** Column highlighted (e.g. a token picked in the flash list). */
  readonly focusToken?: number | null;
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
  </>
);

/**
 * Per-token non-linearity: one row per layer pair, one column per token, each cell the token's
 * error under the pair's reference map relative to the reference's mean error. Cells are painted
 * on a canvas once per data or size change; the hover / keyboard cursor is a box moved over it.
 */
export function NonlinearityHeatmap(props: NonlinearityHeatmapProps) {
  const { result } = props;
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const layout = useMemo(() => heatmapLayout(result, { width }), [result, width]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<SVGSVGElement>(null);
  const tokensRef = useRef<SVGSVGElement>(null);
  const legendRef = useRef<HTMLDivElement>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const pt = result.perToken ?? null;
  const ready = layout.status === 'ready' && pt !== null;
  const focus = props.focusLayer ?? null;
  const { canvasRef, pixelRatio } = useHeatmapCanvas(wrapRef, layout, ready ? pt : null);
  const { active, handlers } = useHeatmapCursor({
    layout,
    focusLayer: focus,
    scrollRef,
    onFocusLayer: props.onFocusLayer,
    onFocusToken: props.onFocusToken,
  });

  const exports = heatmapExports(result, ready, () =>
    heatmapFigureFromDom(
      layout,
      {
        root: wrapRef.current,
        rows: rowsRef.current,
        canvas: canvasRef.current,
        tokens: tokensRef.current,
        legendBox: legendRef.current,
      },
      result.model.id,
    ),
  );

  const info = active ? heatmapCellInfo(result, active) : null;
  const thresholds = pt
    ? (focus !== null ? [pt.flashThreshold[focus]] : pt.flashThreshold).filter(
        (v): v is number => typeof v === 'number',
      )
    : [];
  const visibleWidth = scrollRef.current?.clientWidth ?? width - layout.rowLabelWidth;

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
                focusToken={props.focusToken ?? null}
                active={active}
                handlers={handlers}
                onScroll={(e) => setScrollLeft(e.currentTarget.scrollLeft)}
                pixelRatio={pixelRatio}
                scrollRef={scrollRef}
                canvasRef={canvasRef}
                tokensRef={tokensRef}
              />
            </div>
            {active && info && (
              <HeatmapTooltip
                cell={active}
                info={info}
                position={heatmapTooltipPosition(layout, active, { scrollLeft, visibleWidth, width })}
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
