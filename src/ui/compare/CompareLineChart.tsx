import { extent, line, scaleLinear } from 'd3';
import { dataValue } from '../charts/format';
import { useElementWidth } from '../charts/useElementWidth';

/** One plotted value; `data` holds its test hooks (`data-entry`, `data-layer`...). */
export interface LinePoint {
  readonly x: number;
  readonly value: number | null;
  readonly data: Readonly<Record<`data-${string}`, string | number>>;
}

export interface ChartLine {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  /** Dashed: the second score of an entry (without residual). */
  readonly dashed?: boolean;
  readonly points: readonly LinePoint[];
}

export interface CompareLineChartProps {
  readonly lines: readonly ChartLine[];
  readonly xDomain: readonly [number, number];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Tick values on x (default: the scale's own). */
  readonly xTicks?: readonly number[];
  readonly xTickFormat?: (x: number) => string;
  /** Draw y = 0 and mark each point's sign (▲ above, ▼ below): for differences. */
  readonly signed?: boolean;
  /** `data-testid` of every point. */
  readonly pointTestId: string;
  readonly ariaLabel: string;
  readonly height?: number;
}

const MARGIN = { top: 12, right: 16, bottom: 40, left: 56 };

/**
 * Lines over x with a point per value (gaps where a value is null, never bridged): the compare
 * view's scores over depth, its differences from the baseline, and the series chart.
 */
export function CompareLineChart(props: CompareLineChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const height = props.height ?? 260;
  const values = props.lines
    .flatMap((l) => l.points.map((p) => p.value))
    .filter((v): v is number => v !== null);
  const [lo, hi] = extent(values);
  let yDomain: [number, number];
  if (props.signed) {
    const m = Math.max(1e-6, ...values.map(Math.abs)) * 1.1;
    yDomain = [-m, m];
  } else {
    const low = lo ?? 0;
    const high = hi ?? 1;
    const pad = Math.max(1e-3, (high - low) * 0.08);
    yDomain = [low - pad, high + pad];
  }
  const x = scaleLinear()
    .domain(props.xDomain)
    .range([MARGIN.left, Math.max(MARGIN.left + 10, width - MARGIN.right)]);
  const y = scaleLinear()
    .domain(yDomain)
    .range([height - MARGIN.bottom, MARGIN.top])
    .nice();
  const path = line<LinePoint>()
    .defined((p) => p.value !== null)
    .x((p) => x(p.x))
    .y((p) => y(p.value ?? 0));
  const xTicks = props.xTicks ?? x.ticks(6);
  const xFormat = props.xTickFormat ?? ((v: number) => String(v));
  const yFormat = y.tickFormat(5, props.signed ? '+' : undefined);
  return (
    <div ref={ref} className="lsc-measure compare-line-chart">
      <svg width={width} height={height} role="img" aria-label={props.ariaLabel}>
        <g className="compare-axis">
          {y.ticks(5).map((t) => (
            <g key={`y${t}`} transform={`translate(0,${y(t)})`}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} className="compare-grid" />
              <text x={MARGIN.left - 6} dy="0.32em" textAnchor="end">
                {yFormat(t)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - MARGIN.bottom + 16} textAnchor="middle">
              {xFormat(t)}
            </text>
          ))}
          <text x={(MARGIN.left + width - MARGIN.right) / 2} y={height - 6} textAnchor="middle">
            {props.xLabel}
          </text>
          <text
            transform={`translate(14,${(height - MARGIN.bottom + MARGIN.top) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {props.yLabel}
          </text>
          {props.signed && (
            <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(0)} y2={y(0)} className="compare-zero" />
          )}
        </g>
        {props.lines.map((l) => (
          <g key={l.key} style={{ color: l.color }}>
            <path
              d={path([...l.points]) ?? ''}
              className="compare-path"
              strokeDasharray={l.dashed ? '5 4' : undefined}
            />
            {l.points.map((p) =>
              p.value === null ? null : props.signed ? (
                <path
                  key={`${l.key}-${p.x}`}
                  className="compare-point"
                  data-testid={props.pointTestId}
                  data-value={dataValue(p.value)}
                  data-sign={p.value > 0 ? '+' : p.value < 0 ? '-' : '0'}
                  {...p.data}
                  transform={`translate(${x(p.x)},${y(p.value)})`}
                  d={p.value >= 0 ? 'M0,-5L5,4L-5,4Z' : 'M0,5L5,-4L-5,-4Z'}
                >
                  <title>{`${l.label}: ${p.value >= 0 ? '+' : ''}${p.value.toFixed(5)}`}</title>
                </path>
              ) : (
                <circle
                  key={`${l.key}-${p.x}`}
                  className="compare-point"
                  data-testid={props.pointTestId}
                  data-value={dataValue(p.value)}
                  {...p.data}
                  cx={x(p.x)}
                  cy={y(p.value)}
                  r={3.5}
                >
                  <title>{`${l.label}: ${p.value.toFixed(5)}`}</title>
                </circle>
              ),
            )}
          </g>
        ))}
      </svg>
      <ul className="compare-legend">
        {props.lines.map((l) => (
          <li key={l.key}>
            <svg width="26" height="10" aria-hidden="true">
              <line
                x1="1"
                x2="25"
                y1="5"
                y2="5"
                stroke={l.color}
                strokeWidth="2.5"
                strokeDasharray={l.dashed ? '5 4' : undefined}
              />
            </svg>
            {l.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
