import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import { layersCsv } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { type ChartResult, pairLabel } from './chartResult';
import { csvExport, domFigure, imageExports } from './exportActions';
import { dataValue, formatScore } from './format';
import { LEGEND_SWATCH, legendLayout } from './legendLayout';
import {
  type LinearityLayout,
  type LinearitySeriesKey,
  linearityLayout,
  type PairColumn,
} from './linearityLayout';
import { useElementWidth } from './useElementWidth';

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
}

const SERIES_CLASS: Record<LinearitySeriesKey, string> = {
  linearity: 'lsc-s1',
  linearityNoResidual: 'lsc-s2',
  heldOut: 'lsc-s3',
};

/** Marker per series: shape as well as colour tells them apart (colour-blind readers, print). */
function Marker(props: { series: LinearitySeriesKey; x: number; y: number; size?: number }) {
  const s = props.size ?? 4;
  if (props.series === 'linearity') return <circle cx={props.x} cy={props.y} r={s} />;
  if (props.series === 'linearityNoResidual')
    return <rect x={props.x - s} y={props.y - s} width={2 * s} height={2 * s} />;
  const d = s * 1.35;
  return (
    <path
      d={`M${props.x},${props.y - d}L${props.x + d},${props.y}L${props.x},${props.y + d}L${props.x - d},${props.y}Z`}
    />
  );
}

function pairRole(col: PairColumn): string {
  if (col.isFirst && col.isLast) return 'embedding → final norm';
  if (col.isFirst) return 'first: from the embedding output';
  if (col.isLast) return 'last: into the state after the final norm';
  return '';
}

function describePair(col: PairColumn): string {
  const r = col.record;
  if (!r) return `Pair ${col.label}: pending`;
  return [
    `Pair ${col.label}`,
    `with residual ${formatScore(r.linearity)}`,
    `without residual ${formatScore(r.linearityNoResidual)}`,
    `held-out ${formatScore(r.heldOut?.linearity)}`,
    `chance floor ${formatScore(r.chanceFloor)}`,
  ].join(', ');
}

function Tooltip(props: { layout: LinearityLayout; col: PairColumn; id: string }) {
  const { col, layout } = props;
  const r = col.record;
  const left = col.x > layout.width / 2;
  const role = pairRole(col);
  return (
    <div
      id={props.id}
      role="tooltip"
      className="lsc-tooltip"
      data-testid="linearity-tooltip"
      data-layer={col.layer}
      style={{
        top: layout.yTop,
        ...(left ? { right: layout.width - col.left } : { left: col.left + col.width }),
      }}
    >
      <strong>Pair {col.label}</strong>
      {role && <div className="lsc-tooltip__note">{role}</div>}
      {!r ? (
        <div>Pending: not scored yet.</div>
      ) : (
        <table>
          <tbody>
            <tr>
              <th scope="row">with residual</th>
              <td>{formatScore(r.linearity)}</td>
            </tr>
            <tr>
              <th scope="row">without residual</th>
              <td>{formatScore(r.linearityNoResidual)}</td>
            </tr>
            <tr>
              <th scope="row">held-out{r.heldOut ? ` (${r.heldOut.source})` : ''}</th>
              <td>{formatScore(r.heldOut?.linearity)}</td>
            </tr>
            <tr>
              <th scope="row">held-out, no residual</th>
              <td>{formatScore(r.heldOut?.linearityNoResidual)}</td>
            </tr>
            <tr>
              <th scope="row">chance floor</th>
              <td>{formatScore(r.chanceFloor)}</td>
            </tr>
            <tr>
              <th scope="row">n, d, rank</th>
              <td>
                {r.n}, {r.d}, {r.rank ?? '—'}
              </td>
            </tr>
            {r.heldOut && (
              <tr>
                <th scope="row">held-out n (fit)</th>
                <td>
                  {r.heldOut.n} ({r.heldOut.nFit})
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {r?.reason && <div className="lsc-tooltip__note">In-sample: {r.reason}</div>}
      {r?.heldOut?.reason && <div className="lsc-tooltip__note">Held-out: {r.heldOut.reason}</div>}
    </div>
  );
}

/**
 * Layer-to-layer linearity: one column per pair (l, l+1) with the in-sample score with and
 * without the residual stream, the held-out score, and the chance floor as a shaded band.
 */
export function LinearityChart(props: LinearityChartProps) {
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const height = props.height ?? (width < 480 ? 240 : 300);
  const focus = props.focusLayer ?? null;
  const layout = useMemo(
    () => linearityLayout(props.result, { width, height, focusLayer: focus }),
    [props.result, width, height, focus],
  );
  const [hover, setHover] = useState<number | null>(null);
  const tooltipId = useId();
  const hovered = hover === null ? null : (layout.pairs[hover] ?? null);
  const modelId = props.result.model.id;

  const onKey = (e: KeyboardEvent, layer: number) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      props.onFocusLayer?.(layer);
    }
  };

  const exports = [
    ...imageExports('the linearity chart', modelId, 'linearity', () =>
      domFigure(wrapRef.current, `Layer-to-layer linearity · ${modelId} · ${layout.subtitle}`),
    ),
    csvExport('csv', 'CSV', 'Download the per-pair numbers as CSV', modelId, 'layers', () =>
      layersCsv(props.result),
    ),
  ];

  const legend = legendLayout<LinearitySeriesKey | 'floor'>(
    [
      ...layout.series.map((s) => ({ key: s.key, label: s.label })),
      { key: 'floor', label: 'chance floor (≈ d / (n − 1); in-sample only)' },
    ],
    layout.width,
  );
  const { yBottom, yTop, margin } = layout;
  return (
    <ChartFrame
      testId="linearity-chart"
      title="Layer-to-layer linearity"
      subtitle={layout.subtitle}
      headingLevel={props.headingLevel}
      exports={exports}
      rootAttributes={{ 'data-layers': layout.pairs.length }}
      explainer={
        <>
          <p>
            Each column is a pair of consecutive layers. The score says how much of the next layer’s hidden
            states one linear map of the previous layer’s states explains (1 = all of it).
          </p>
          <p>
            “With residual” compares whole states, which are mostly carried over unchanged by the residual
            stream, so it sits near 1 in large models. “Without residual” asks the same of the block’s own
            update and is much lower. The held-out score uses tokens the map was not fitted on.
          </p>
          <p>
            The shaded band is what unrelated random data of the same size would score (about d / (n − 1)): an
            in-sample score is only meaningful well above it. Gaps mean no score, usually because there were
            no more tokens than dimensions (n ≤ d); hover to see why.
          </p>
        </>
      }
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
            <g className="lsc-floor">
              {layout.floor.map((b) => (
                <rect
                  key={b.layer}
                  x={b.left}
                  y={b.y}
                  width={b.width}
                  height={b.height}
                  data-layer={b.layer}
                  data-value={dataValue(b.value)}
                />
              ))}
            </g>
            {layout.pairs
              .filter((p) => p.pending)
              .map((p) => (
                <g key={p.layer} className="lsc-pending" data-layer={p.layer} data-pending="">
                  <rect x={p.left + 1} y={yTop} width={Math.max(0, p.width - 2)} height={yBottom - yTop} />
                  <text x={p.x} y={(yTop + yBottom) / 2} textAnchor="middle">
                    …
                  </text>
                </g>
              ))}
            {focus !== null && layout.pairs[focus] && (
              <rect
                className="lsc-focus"
                x={layout.pairs[focus].left}
                y={yTop}
                width={layout.pairs[focus].width}
                height={yBottom - yTop}
                data-testid="linearity-focus"
                data-layer={focus}
              />
            )}
            {hovered && (
              <rect
                className="lsc-hover"
                data-export-skip=""
                x={hovered.left}
                y={yTop}
                width={hovered.width}
                height={yBottom - yTop}
              />
            )}
            <g className="lsc-axis">
              {layout.yTicks.map((t) => (
                <g key={t.value}>
                  <line
                    x1={margin.left}
                    x2={layout.width - margin.right}
                    y1={t.y}
                    y2={t.y}
                    className="lsc-grid"
                  />
                  <text x={margin.left - 6} y={t.y} dy="0.32em" textAnchor="end">
                    {t.label}
                  </text>
                </g>
              ))}
              {layout.pairs.map((p) => (
                <g key={p.layer} className={focus === p.layer ? 'lsc-tick lsc-tick--focus' : 'lsc-tick'}>
                  <line x1={p.x} x2={p.x} y1={yBottom} y2={yBottom + 4} />
                  {p.showLabel && (
                    <text x={p.x} y={yBottom + 16} textAnchor="middle">
                      {p.label}
                    </text>
                  )}
                  {(p.isFirst || p.isLast) && (
                    <text
                      x={p.x}
                      y={yBottom + 30}
                      textAnchor={p.isFirst && !p.isLast && layout.pairs.length > 1 ? 'start' : 'end'}
                      dx={p.isFirst && !p.isLast && layout.pairs.length > 1 ? -6 : 6}
                      className="lsc-mark"
                      data-mark={p.isFirst && p.isLast ? 'first last' : p.isFirst ? 'first' : 'last'}
                    >
                      {p.isFirst && p.isLast
                        ? 'emb. → final norm'
                        : p.isFirst
                          ? 'from emb.'
                          : 'to final norm'}
                    </text>
                  )}
                </g>
              ))}
            </g>
            {layout.series.map((s) => (
              <g key={s.key} className={`lsc-series ${SERIES_CLASS[s.key]}`} data-series-group={s.key}>
                <path d={s.path} className="lsc-line" />
                {s.points.map((p) => (
                  <g
                    key={p.index}
                    className="lsc-point"
                    data-series={s.key}
                    data-layer={p.index}
                    data-value={dataValue(p.value)}
                  >
                    <Marker series={s.key} x={p.x} y={p.y} size={focus === p.index ? 5.5 : 4} />
                  </g>
                ))}
                {s.gaps
                  .filter((g) => !g.pending)
                  .map((g) => (
                    <g key={g.index} className="lsc-gap" data-series={s.key} data-layer={g.index} data-gap="">
                      <title>{`${s.label}, pair ${pairLabel(g.index)}: no score${g.reason ? ` (${g.reason})` : ''}`}</title>
                      <path d={`M${g.x - 3},${yBottom - 9}l6,6m0,-6l-6,6`} />
                    </g>
                  ))}
              </g>
            ))}
            <g className="lsc-hits" data-export-skip="">
              {layout.pairs.map((p) => (
                // biome-ignore lint/a11y/useSemanticElements: an SVG column cannot be a <button>; role, name, tabIndex and keys make it one.
                <rect
                  key={p.layer}
                  className="lsc-hit"
                  x={p.left}
                  y={yTop}
                  width={p.width}
                  height={yBottom - yTop + 34}
                  tabIndex={0}
                  role="button"
                  aria-pressed={focus === p.layer}
                  aria-label={describePair(p)}
                  aria-describedby={hover === p.layer ? tooltipId : undefined}
                  data-testid="linearity-target"
                  data-layer={p.layer}
                  onMouseEnter={() => setHover(p.layer)}
                  onMouseLeave={() => setHover((h) => (h === p.layer ? null : h))}
                  onFocus={() => setHover(p.layer)}
                  onBlur={() => setHover((h) => (h === p.layer ? null : h))}
                  onClick={() => {
                    setHover(p.layer);
                    props.onFocusLayer?.(p.layer);
                  }}
                  onKeyDown={(e) => onKey(e, p.layer)}
                />
              ))}
            </g>
          </svg>
          {hovered && <Tooltip layout={layout} col={hovered} id={tooltipId} />}
        </div>
        <svg
          data-export
          className="lsc-legend lsc-svg"
          width={legend.width}
          height={legend.height}
          role="img"
          aria-label={`Legend: ${legend.items.map((i) => i.label).join('; ')}`}
        >
          {legend.items.map((item) => (
            <g key={item.key} transform={`translate(${item.x},${item.y})`}>
              {item.key === 'floor' ? (
                <rect className="lsc-floor-swatch" x="2" y="-5" width="26" height="10" />
              ) : (
                <g className={`lsc-series ${SERIES_CLASS[item.key]}`}>
                  <path d="M2,0H28" className="lsc-line" />
                  <g className="lsc-point">
                    <Marker series={item.key} x={15} y={0} size={3.5} />
                  </g>
                </g>
              )}
              <text x={LEGEND_SWATCH} dy="0.32em" className="lsc-legend__label">
                {item.label}
              </text>
            </g>
          ))}
        </svg>
      </div>
    </ChartFrame>
  );
}
