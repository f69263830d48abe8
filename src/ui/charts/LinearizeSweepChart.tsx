import { useMemo, useRef } from 'react';
import type { ResultLinearize } from '../../job/result';
import { sweepCsv } from '../../share/linearizeCsv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { ChartLegend, SeriesSwatch } from './ChartLegend';
import { csvExport, domFigure, EXPORT_STEMS, imageExports } from './exportActions';
import { dataValue, formatScore } from './format';
import { LinearityMarker } from './LinearityMarker';
import { legendLayout } from './legendLayout';
import type { LinearitySeriesKey } from './linearityLayout';
import { SWEEP_SERIES_LABEL, type SweepPanel, type SweepSeriesKey, sweepLayout } from './sweepLayout';
import { useElementWidth } from './useElementWidth';
import './marks.css';
import './LinearizeSweepChart.css';

export interface LinearizeSweepChartProps {
  readonly linearize: ResultLinearize & { sweep: NonNullable<ResultLinearize['sweep']> };
  readonly modelId: string;
  /** The line under exported figures (`sweepCaption`); default: the model id. */
  readonly caption?: string;
  readonly headingLevel?: HeadingLevel;
}

/** Colour, dash and marker shape of the linearity chart's first three series, in the same order. */
const LOOK: Record<SweepSeriesKey, { className: string; marker: LinearitySeriesKey }> = {
  linearized: { className: 'lsc-s1', marker: 'linearity' },
  skipped: { className: 'lsc-s2', marker: 'linearityNoResidual' },
  cumulative: { className: 'lsc-s3', marker: 'heldOut' },
};

/** Two panels side by side from this width on; stacked below it (phones). */
const SIDE_BY_SIDE = 620;
const GAP = 16;

function pointTitle(key: SweepSeriesKey, block: number, index: number, value: number): string {
  const nats = `${value >= 0 ? '+' : ''}${formatScore(value)} nats`;
  return key === 'cumulative'
    ? `${index + 1} block${index === 0 ? '' : 's'} linearized (last added: block ${block}): loss ${nats}`
    : `Block ${block} ${key}: loss ${nats}`;
}

function Panel({ p }: { p: SweepPanel }) {
  const bottom = p.height - p.margin.bottom;
  return (
    <svg
      data-export
      data-panel={p.key}
      className="lsc-svg"
      width={p.width}
      height={p.height}
      viewBox={`0 0 ${p.width} ${p.height}`}
    >
      <title>{p.title}</title>
      <text x={4} y={14} className="lsc-panel__title">
        {p.title}
      </text>
      <g className="lsc-axis">
        {p.yTicks.map((t) => (
          <g key={t.value}>
            <line x1={p.margin.left} x2={p.width - p.margin.right} y1={t.y} y2={t.y} className="lsc-grid" />
            <text x={p.margin.left - 5} y={t.y} dy="0.32em" textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        <line
          className="sweep-zero"
          x1={p.margin.left}
          x2={p.width - p.margin.right}
          y1={p.zeroY}
          y2={p.zeroY}
        />
        {p.xTicks.map((t) => (
          <text key={t.index} x={t.x} y={bottom + 15} textAnchor="middle">
            {t.label}
            {t.sublabel && (
              <tspan x={t.x} dy="1.2em">
                {t.sublabel}
              </tspan>
            )}
          </text>
        ))}
        <text x={4} y={p.margin.top - 12} className="sweep-unit">
          loss increase (nats)
        </text>
        <text x={p.width - p.margin.right} y={p.height - 2} textAnchor="end" className="sweep-unit">
          {p.xLabel}
        </text>
      </g>
      {p.series.map((s) => (
        <g key={s.key} className={`lsc-series ${LOOK[s.key].className}`}>
          <path d={s.path} className="lsc-line" />
          {s.points.map((pt) => (
            <g
              key={pt.index}
              className="lsc-point"
              data-series={s.key}
              data-block={s.blocks[pt.index]}
              data-step={s.key === 'cumulative' ? pt.index + 1 : undefined}
              data-value={dataValue(pt.value)}
            >
              <title>{pointTitle(s.key, s.blocks[pt.index], pt.index, pt.value)}</title>
              <LinearityMarker series={LOOK[s.key].marker} x={pt.x} y={pt.y} size={4} />
            </g>
          ))}
          {s.gaps.map((g) => (
            <g
              key={g.index}
              className="lsc-gap"
              data-series={s.key}
              data-block={s.blocks[g.index]}
              data-gap=""
            >
              <title>{`Block ${s.blocks[g.index]} cannot be linearized: ${g.reason ?? 'no map'}`}</title>
              <path d={`M${g.x - 3},${bottom - 9}l6,6m0,-6l-6,6`} />
            </g>
          ))}
        </g>
      ))}
    </svg>
  );
}

function Legend({ width }: { width: number }) {
  const keys: SweepSeriesKey[] = ['linearized', 'skipped', 'cumulative'];
  const legend = legendLayout(
    keys.map((key) => ({ key, label: SWEEP_SERIES_LABEL[key] })),
    width,
  );
  return (
    <ChartLegend
      legend={legend}
      swatch={(key) => <SeriesSwatch className={LOOK[key].className} marker={LOOK[key].marker} />}
    />
  );
}

/**
 * The paper's replacement figure: how much the next-token loss rises when one block is replaced by
 * its affine map or skipped, and when the most linear blocks are linearized together.
 */
export function LinearizeSweepChart({ linearize, modelId, caption, headingLevel }: LinearizeSweepChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const figureRef = useRef<HTMLDivElement>(null);
  const panelWidth = width >= SIDE_BY_SIDE ? (width - GAP) / 2 : width;
  const layout = useMemo(() => sweepLayout(linearize, panelWidth), [linearize, panelWidth]);
  const { maps, sweep } = linearize;
  const subtitle = `${linearize.positions} next-token predictions · maps fitted on ${maps.name} (${
    maps.inSample ? 'in sample' : 'out of sample'
  }) · cumulative order: ${sweep.cumulative.order.join(', ') || 'none (no block has a map)'}`;
  return (
    <ChartFrame
      testId="linearize-sweep"
      title="Replacing blocks: the loss cost"
      subtitle={subtitle}
      headingLevel={headingLevel}
      rootAttributes={{
        'data-blocks': sweep.blocks.length,
        'data-steps': sweep.cumulative.steps.length,
        'data-in-sample': maps.inSample ? 'true' : 'false',
      }}
      exports={[
        ...imageExports(
          'the sweep chart',
          modelId,
          EXPORT_STEMS.sweepFigure,
          caption ?? `model ${modelId}`,
          () => domFigure(figureRef.current, `Replacing blocks · ${modelId} · ${subtitle}`),
        ),
        csvExport('csv', 'CSV', 'Download the sweep as CSV', modelId, EXPORT_STEMS.sweepTable, () =>
          sweepCsv(linearize),
        ),
      ]}
      explainer={
        <>
          <p>
            Left: each block replaced on its own, by the affine map fitted to it (“linearized”) or by nothing
            at all (“skipped”: its output is its input), and the model run again on your text. The y axis is
            how much the mean next-token loss rose over the original model, in nats.
          </p>
          <p>
            Right: blocks linearized together, the most linear first (by the map’s leave-one-out linearity),
            one more at each step; the label under a step names the block it adds. A cross marks a block
            without a map (usually too few tokens to fit one); hover it for the reason.
          </p>
        </>
      }
    >
      <div ref={ref} className="lsc-measure">
        <div
          ref={figureRef}
          className={width >= SIDE_BY_SIDE ? 'sweep-panels sweep-panels--row' : 'sweep-panels'}
        >
          <Panel p={layout.blocks} />
          <Panel p={layout.cumulative} />
          <Legend width={width} />
        </div>
      </div>
    </ChartFrame>
  );
}
