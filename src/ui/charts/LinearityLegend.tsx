import { ChartLegend, SeriesSwatch } from './ChartLegend';
import { formatScore } from './format';
import { SERIES_CLASS } from './LinearityMarker';
import { legendLayout } from './legendLayout';
import type { LinearityLayout, LinearitySeriesKey } from './linearityLayout';

const FLOOR_LABEL = 'chance floor (≈ d / (n − 1); in-sample only)';

type LegendKey = LinearitySeriesKey | 'floor' | 'floorBelow';

/** The entry added when the chance floor lies below the fitted axis and so is not drawn. */
export function floorBelowLabel(floorBelowAxis: number): string {
  return `chance floor below this axis (up to ${formatScore(floorBelowAxis)})`;
}

/**
 * The series and the chance-floor band, in SVG so that the legend goes into exports; with a
 * further entry, marked by a downward arrow, when the floor is below the axis.
 */
export function LinearityLegend({ layout }: { readonly layout: LinearityLayout }) {
  const legend = legendLayout<LegendKey>(
    [
      ...layout.series.map((s) => ({ key: s.key, label: s.label })),
      { key: 'floor', label: FLOOR_LABEL },
      ...(layout.floorBelowAxis === null
        ? []
        : [{ key: 'floorBelow' as const, label: floorBelowLabel(layout.floorBelowAxis) }]),
    ],
    layout.width,
  );
  return (
    <ChartLegend
      legend={legend}
      swatch={(key) =>
        key === 'floor' ? (
          <rect className="lsc-floor-swatch" x="2" y="-5" width="26" height="10" />
        ) : key === 'floorBelow' ? (
          <path className="lsc-floor-below" d="M15,6l-5,-7h3.5v-5h3v5h3.5z" data-floor-below="" />
        ) : (
          <SeriesSwatch className={SERIES_CLASS[key]} marker={key} />
        )
      }
    />
  );
}
