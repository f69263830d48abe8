import type { ReactNode } from 'react';
import { LinearityMarker } from './LinearityMarker';
import { LEGEND_SWATCH, type LegendLayout } from './legendLayout';
import type { LinearitySeriesKey } from './linearityLayout';

/** A legend laid out by `legendLayout`, in SVG so that it goes into exports; `swatch` draws each key's mark. */
export function ChartLegend<K extends string>({
  legend,
  swatch,
}: {
  readonly legend: LegendLayout<K>;
  readonly swatch: (key: K) => ReactNode;
}) {
  return (
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
          {swatch(item.key)}
          <text x={LEGEND_SWATCH} dy="0.32em" className="lsc-legend__label">
            {item.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** A line series' swatch: a short stroke with the series' marker on it. */
export function SeriesSwatch({
  className,
  marker,
}: {
  readonly className: string;
  readonly marker: LinearitySeriesKey;
}) {
  return (
    <g className={`lsc-series ${className}`}>
      <path d="M2,0H28" className="lsc-line" />
      <g className="lsc-point">
        <LinearityMarker series={marker} x={15} y={0} size={3.5} />
      </g>
    </g>
  );
}
