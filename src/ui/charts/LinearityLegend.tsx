import { LinearityMarker, SERIES_CLASS } from './LinearityMarker';
import { LEGEND_SWATCH, legendLayout } from './legendLayout';
import type { LinearityLayout, LinearitySeriesKey } from './linearityLayout';

const FLOOR_LABEL = 'chance floor (≈ d / (n − 1); in-sample only)';

/** The series and the chance-floor band, in SVG so that the legend goes into exports. */
export function LinearityLegend({ layout }: { readonly layout: LinearityLayout }) {
  const legend = legendLayout<LinearitySeriesKey | 'floor'>(
    [...layout.series.map((s) => ({ key: s.key, label: s.label })), { key: 'floor', label: FLOOR_LABEL }],
    layout.width,
  );
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
          {item.key === 'floor' ? (
            <rect className="lsc-floor-swatch" x="2" y="-5" width="26" height="10" />
          ) : (
            <g className={`lsc-series ${SERIES_CLASS[item.key]}`}>
              <path d="M2,0H28" className="lsc-line" />
              <g className="lsc-point">
                <LinearityMarker series={item.key} x={15} y={0} size={3.5} />
              </g>
            </g>
          )}
          <text x={LEGEND_SWATCH} dy="0.32em" className="lsc-legend__label">
            {item.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
