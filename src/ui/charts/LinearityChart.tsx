import { useId, useMemo, useState } from 'react';
import { Checkbox } from '../Checkbox';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import type { ChartResult } from './chartResult';
import { pairLabel } from './chartResult';
import { LinearityAxis } from './LinearityAxis';
import { LinearityColumns } from './LinearityColumns';
import { LinearityLegend } from './LinearityLegend';
import { LinearitySeries } from './LinearitySeries';
import { LinearityTargets } from './LinearityTargets';
import { LinearityTooltip } from './LinearityTooltip';
import { linearityExports } from './linearityExport';
import { clampPairRange, type LinearitySeriesKey, linearityLayout } from './linearityLayout';
import { useElementWidth } from './useElementWidth';
import { usePairHover } from './usePairHover';
import './marks.css';
import './LinearityChart.css';

export interface LinearityChartProps {
  /** A full or partial result; pairs not yet scored are drawn as pending. */
  readonly result: ChartResult;
  /** Pair highlighted as the app's focus (null: none). */
  readonly focusLayer?: number | null;
  /** Click, Enter or Space on a pair. */
  readonly onFocusLayer?: (layer: number) => void;
  /** Plot height in CSS pixels (default 300; 240 below 480 px width). */
  readonly height?: number;
  readonly headingLevel?: HeadingLevel;
  /** Blocks picked for the block-replacement experiment (block l is pair l→l+1's column). */
  readonly selectedBlocks?: readonly number[];
  /** Shift-click, or Shift+Enter / Shift+Space, on a pair's column: its block is picked or dropped. */
  readonly onToggleBlock?: (block: number) => void;
}

/** The series a reader may hide, as the checkboxes name them. */
const SERIES_CHOICES: readonly { key: LinearitySeriesKey; label: string }[] = [
  { key: 'linearity', label: 'with residual' },
  { key: 'linearityNoResidual', label: 'without residual' },
  { key: 'heldOut', label: 'held-out' },
];

const EXPLAINER = (
  <>
    <p>
      Each column is a pair of consecutive layers. The score says how much of the next layer’s hidden states
      one linear map of the previous layer’s states explains (1 = all of it).
    </p>
    <p>
      “With residual” compares whole states, which are mostly carried over unchanged by the residual stream,
      so it sits near 1 in large models. “Without residual” asks the same of the block’s own update and is
      much lower. The held-out score uses tokens the map was not fitted on.
    </p>
    <p>
      The shaded band is what unrelated random data of the same size would score (about d / (n − 1)): an
      in-sample score is only meaningful well above it. Gaps mean no score, usually because there were no more
      tokens than dimensions (n ≤ d); hover to see why.
    </p>
    <p>
      The score axis is zoomed to the scores drawn, so that small differences between layers show; the legend
      says when the chance floor lies below it. “Full 0–1 axis” shows the whole range.
    </p>
  </>
);

/**
 * Layer-to-layer linearity: one column per pair (l, l+1) with the in-sample score with and
 * without the residual stream, the held-out score, and the chance floor as a shaded band.
 */
export function LinearityChart(props: LinearityChartProps) {
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const height = props.height ?? (width < 480 ? 240 : 300);
  const focus = props.focusLayer ?? null;
  const [fullAxis, setFullAxis] = useState(false);
  const axis = fullAxis ? 'full' : 'fitted';
  const [hiddenSeries, setHiddenSeries] = useState<ReadonlySet<LinearitySeriesKey>>(() => new Set());
  const [range, setRange] = useState<readonly [number, number] | undefined>(undefined);
  const layout = useMemo(
    () =>
      linearityLayout(props.result, {
        width,
        height,
        focusLayer: focus,
        axis,
        hiddenSeries,
        pairRange: range,
      }),
    [props.result, width, height, focus, axis, hiddenSeries, range],
  );
  const total = layout.pairTotal;
  const pairOptions = useMemo(
    () =>
      Array.from({ length: total }, (_, l) => pairLabel(l)).map((label, l) => (
        <option key={label} value={l}>
          {label}
        </option>
      )),
    [total],
  );
  const [first, last] = clampPairRange(range, total);
  const toggleSeries = (key: LinearitySeriesKey, shown: boolean) =>
    setHiddenSeries((now) => {
      const next = new Set(now);
      if (shown) next.delete(key);
      else next.add(key);
      return next;
    });
  const hover = usePairHover();
  const tooltipId = useId();
  const hovered = hover.hover === null ? null : (layout.pairAt(hover.hover) ?? null);

  return (
    <ChartFrame
      testId="linearity-chart"
      title="Layer-to-layer linearity"
      subtitle={layout.subtitle}
      headingLevel={props.headingLevel}
      exports={linearityExports(props.result, layout.subtitle, () => wrapRef.current)}
      rootAttributes={{
        'data-layers': layout.pairs.length,
        'data-selected': (props.selectedBlocks ?? []).join(','),
        'data-axis': layout.axisMode,
        'data-y-domain': layout.yDomain.join(','),
        'data-floor': layout.floorBelowAxis === null ? 'on-axis' : 'below-axis',
        'data-pair-range': total > 0 ? `${first},${last}` : '',
        'data-hidden-series': [...hiddenSeries].join(','),
      }}
      explainer={EXPLAINER}
    >
      <div ref={wrapRef} className="lsc-measure">
        <div className="lsc-plot">
          <svg
            data-export
            className="lsc-svg"
            width={layout.width}
            height={layout.height}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
          >
            <title>Linearity per layer pair</title>
            <LinearityColumns
              layout={layout}
              focusLayer={focus}
              hovered={hovered}
              selected={props.selectedBlocks ?? []}
            />
            <LinearityAxis layout={layout} focusLayer={focus} />
            <LinearitySeries layout={layout} focusLayer={focus} />
            <LinearityTargets
              layout={layout}
              focusLayer={focus}
              hover={hover}
              tooltipId={tooltipId}
              onFocusLayer={props.onFocusLayer}
              selected={props.selectedBlocks ?? []}
              onToggleBlock={props.onToggleBlock}
            />
          </svg>
          {hovered && <LinearityTooltip layout={layout} col={hovered} id={tooltipId} />}
        </div>
        <LinearityLegend layout={layout} />
        <div className="lsc-axis-toggle">
          <Checkbox testId="linearity-full-axis" checked={fullAxis} onChange={setFullAxis}>
            Full 0–1 axis
          </Checkbox>
        </div>
        <fieldset className="lsc-view-choice">
          <legend>Show</legend>
          {SERIES_CHOICES.map(({ key, label }) => (
            <Checkbox
              key={key}
              testId={`linearity-show-${key}`}
              checked={!hiddenSeries.has(key)}
              onChange={(shown) => toggleSeries(key, shown)}
            >
              {label}
            </Checkbox>
          ))}
          {total > 1 && (
            <span className="lsc-pair-range">
              <label>
                pairs from{' '}
                <select
                  data-testid="linearity-pair-from"
                  value={first}
                  onChange={(e) => setRange([Number(e.target.value), Math.max(last, Number(e.target.value))])}
                >
                  {pairOptions}
                </select>
              </label>{' '}
              <label>
                to{' '}
                <select
                  data-testid="linearity-pair-to"
                  value={last}
                  onChange={(e) =>
                    setRange([Math.min(first, Number(e.target.value)), Number(e.target.value)])
                  }
                >
                  {pairOptions}
                </select>
              </label>
            </span>
          )}
        </fieldset>
      </div>
    </ChartFrame>
  );
}
