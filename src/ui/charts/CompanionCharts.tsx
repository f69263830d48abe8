import { useMemo, useRef } from 'react';
import { layersCsv, statesCsv } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { type ChartResult, pairLabel } from './chartResult';
import { type CompanionPanelSpec, companionPanelLayout, companionSpecs } from './companionLayout';
import { csvExport, domFigure, EXPORT_STEMS, imageExports } from './exportActions';
import { figureCaption } from './figureCaption';
import { dataValue, formatScore } from './format';
import { useElementWidth } from './useElementWidth';
import './marks.css';
import './CompanionCharts.css';

export interface CompanionChartsProps {
  readonly result: ChartResult;
  /** Pair highlighted (its two states in the per-state panels). */
  readonly focusLayer?: number | null;
  readonly headingLevel?: HeadingLevel;
}

/** One small multiple: title, axes with their titles, the series; the focused pair is left out of exports. */
function Panel(props: { spec: CompanionPanelSpec; focusLayer: number | null }) {
  const [ref, width] = useElementWidth<HTMLDivElement>(300);
  const p = useMemo(() => companionPanelLayout(props.spec, width), [props.spec, width]);
  const step = p.step;
  const bottom = p.height - p.margin.bottom;
  const focused =
    props.focusLayer === null
      ? []
      : p.over === 'pair'
        ? [props.focusLayer]
        : [props.focusLayer, props.focusLayer + 1];
  return (
    <div ref={ref} className="lsc-panel" data-panel={p.key}>
      <svg
        data-export
        className="lsc-svg"
        width={p.width}
        height={p.height}
        viewBox={`0 0 ${p.width} ${p.height}`}
        role="img"
        aria-label={`${p.title}: ${props.spec.inputs
          .map(
            (input, i) =>
              `${p.over === 'pair' ? pairLabel(i) : `state ${i}`} ${input.value === undefined ? 'pending' : formatScore(input.value)}`,
          )
          .join(', ')}`}
      >
        <text x={4} y={14} className="lsc-panel__title">
          {p.title}
        </text>
        {focused
          .filter((i) => i >= 0 && i < props.spec.inputs.length)
          .map((i) => (
            <rect
              key={i}
              className="lsc-focus"
              data-export-skip=""
              x={p.margin.left + i * step}
              y={p.margin.top}
              width={step}
              height={bottom - p.margin.top}
            />
          ))}
        <g className="lsc-axis">
          <text
            className="lsc-axis-title"
            x={12}
            y={(p.margin.top + bottom) / 2}
            textAnchor="middle"
            transform={`rotate(-90 12 ${(p.margin.top + bottom) / 2})`}
            data-axis-title="y"
          >
            {p.yTitle}
          </text>
          <text
            className="lsc-axis-title"
            x={(p.margin.left + p.width - p.margin.right) / 2}
            y={bottom + 31}
            textAnchor="middle"
            data-axis-title="x"
          >
            {p.xTitle}
          </text>
          {p.yTicks.map((t) => (
            <g key={t.value}>
              <line x1={p.margin.left} x2={p.width - p.margin.right} y1={t.y} y2={t.y} className="lsc-grid" />
              <text x={p.margin.left - 5} y={t.y} dy="0.32em" textAnchor="end">
                {t.label}
              </text>
            </g>
          ))}
          {p.xTicks.map((t) => (
            <text key={t.index} x={t.x} y={bottom + 15} textAnchor="middle">
              {t.label}
            </text>
          ))}
        </g>
        <g className="lsc-series lsc-s1">
          <path d={p.path} className="lsc-line" />
          {p.points.map((pt) => (
            <circle
              key={pt.index}
              className="lsc-point"
              cx={pt.x}
              cy={pt.y}
              r={3}
              data-series={p.key}
              data-layer={pt.index}
              data-value={dataValue(pt.value)}
            >
              <title>{`${p.over === 'pair' ? `pair ${pt.index}→${pt.index + 1}` : `state ${pt.index}`}: ${formatScore(pt.value)}${props.spec.note ? ` (${props.spec.note})` : ''}`}</title>
            </circle>
          ))}
          {p.gaps.map((g) => (
            <g
              key={g.index}
              className={g.pending ? 'lsc-gap lsc-gap--pending' : 'lsc-gap'}
              data-series={p.key}
              data-layer={g.index}
              data-gap=""
            >
              <title>{g.pending ? 'pending' : (g.reason ?? 'no value')}</title>
              {g.pending ? (
                <text x={g.x} y={bottom - 6} textAnchor="middle">
                  …
                </text>
              ) : (
                <path d={`M${g.x - 3},${bottom - 9}l6,6m0,-6l-6,6`} />
              )}
            </g>
          ))}
        </g>
      </svg>
      {props.spec.note && (
        <p className="lsc-panel__note" data-testid={`${p.key}-note`}>
          {props.spec.note}
        </p>
      )}
    </div>
  );
}

/** Small multiples beside the linearity chart: anisotropy per state, cosine and update ratio per pair. */
export function CompanionCharts(props: CompanionChartsProps) {
  const specs = useMemo(() => companionSpecs(props.result), [props.result]);
  const gridRef = useRef<HTMLDivElement>(null);
  const modelId = props.result.model.id;
  return (
    <ChartFrame
      testId="companion-charts"
      title="Why the scores are high"
      headingLevel={props.headingLevel}
      exports={[
        ...imageExports(
          'the companion charts',
          modelId,
          EXPORT_STEMS.companionsFigure,
          figureCaption(props.result),
          () => domFigure(gridRef.current, `Anisotropy, cosine, update ratio · ${modelId}`),
        ),
        csvExport(
          'csv',
          'CSV',
          'Download the per-pair numbers as CSV',
          modelId,
          EXPORT_STEMS.companionsPairs,
          () => layersCsv(props.result),
        ),
        csvExport(
          'states-csv',
          'States CSV',
          'Download the per-state numbers as CSV',
          modelId,
          EXPORT_STEMS.companionsStates,
          () => statesCsv(props.result),
        ),
      ]}
      explainer={
        <>
          <p>
            Anisotropy is the share of the states’ variance along their single strongest direction: high
            values mean the token vectors crowd into a narrow cone.
          </p>
          <p>
            Cosine similarity compares each token’s state before and after a block, and the update ratio is
            the size of what the block adds relative to the residual stream it adds to. Similar states and
            small updates are the paper’s explanation for near-linear layers.
          </p>
        </>
      }
    >
      <div ref={gridRef} className="lsc-panels">
        {specs.map((spec) => (
          <Panel key={spec.key} spec={spec} focusLayer={props.focusLayer ?? null} />
        ))}
      </div>
    </ChartFrame>
  );
}
