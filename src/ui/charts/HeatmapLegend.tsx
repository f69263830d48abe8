import { useId } from 'react';
import type { RelativeColorScale } from './colorScale';
import { formatRelative } from './format';
import './marks.css';
import './HeatmapLegend.css';

export interface HeatmapLegendProps {
  readonly scale: RelativeColorScale;
  /** Flash thresholds to mark: the focused pair's, or every pair's. */
  readonly thresholds: readonly number[];
  readonly width: number;
  readonly showMissing?: boolean;
  /** The reference quantile that defines a flash (0.99 = 99th percentile). */
  readonly quantile?: number | null;
}

/** Legend height (the heatmap places it in exports). */
export const LEGEND_HEIGHT = 78;

/**
 * Colour ramp on its log axis, in "× reference mean error", with the flash threshold(s) marked
 * above it and the flash dot explained.
 */
export function HeatmapLegend(props: HeatmapLegendProps) {
  const gradientId = useId();
  const { scale } = props;
  const barX = 8;
  const barW = Math.max(120, Math.min(340, props.width - 16));
  const barY = 18;
  const xOf = (v: number) => barX + scale.t(v) * barW;
  const stops = Array.from({ length: 17 }, (_, i) => i / 16);
  const lo = Math.min(...props.thresholds);
  const hi = Math.max(...props.thresholds);
  const thresholdText =
    props.thresholds.length === 0
      ? ''
      : lo === hi
        ? `flash ≥ ${formatRelative(lo)}`
        : `flash ≥ ${formatRelative(lo)}–${formatRelative(hi)} (per pair)`;
  return (
    <svg
      data-export
      className="lsc-legend-svg"
      width={barX + barW + 8}
      height={LEGEND_HEIGHT}
      role="img"
      aria-label={`Colour scale: ${formatRelative(scale.domain[0])} to ${formatRelative(scale.domain[1])} times the reference mean error, log scale. ${thresholdText}`}
      data-testid="heatmap-legend"
      data-domain={`${scale.domain[0]},${scale.domain[1]}`}
    >
      <defs>
        <linearGradient id={gradientId} x1="0" x2="1" y1="0" y2="0">
          {stops.map((t) => (
            <stop key={t} offset={t} stopColor={scale.lut[Math.round(t * 255)]} />
          ))}
        </linearGradient>
      </defs>
      <text x={barX} y={10} className="lsc-legend-title">
        × reference mean error (log; 1 = typical)
      </text>
      <rect x={barX} y={barY} width={barW} height={12} fill={`url(#${gradientId})`} />
      {scale.ticks.map((t) => (
        <g key={t.value} className="lsc-tick">
          <line x1={xOf(t.value)} x2={xOf(t.value)} y1={barY + 12} y2={barY + 16} />
          <text x={xOf(t.value)} y={barY + 26} textAnchor="middle">
            {t.value}
          </text>
        </g>
      ))}
      {props.thresholds.map((v) => (
        <path key={v} className="lsc-threshold" data-threshold={v} d={`M${xOf(v)},${barY + 12}l-4,-7h8z`} />
      ))}
      <text x={barX} y={barY + 42} className="lsc-legend-note">
        <tspan className="lsc-flash-dot">●</tspan> {thresholdText || 'flash'}
      </text>
      <text x={barX} y={barY + 56} className="lsc-legend-note">
        {typeof props.quantile === 'number'
          ? `flash: above the reference’s ${Math.round(props.quantile * 1000) / 10}th percentile`
          : 'flash: far in the reference’s tail'}
        {props.showMissing ? ' · grey: no map' : ''}
      </text>
    </svg>
  );
}
