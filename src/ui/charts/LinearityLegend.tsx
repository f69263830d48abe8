import { ChartLegend, SeriesSwatch } from './ChartLegend';
import { formatScore } from './format';
import { SERIES_CLASS } from './LinearityMarker';
import { legendLayout } from './legendLayout';
import type { LinearityLayout, LinearitySeriesKey } from './linearityLayout';

const FLOOR_LABEL = 'chance floor (≈ d / (n − 1); in-sample only)';

/** The floor's legend text; it says so when the floor lies below the fitted axis and is not drawn. */
export function floorLegendLabel(floorBelowAxis: number | null): string {
  return floorBelowAxis === null
    ? FLOOR_LABEL
    : `${FLOOR_LABEL}: below this axis (up to ${formatScore(floorBelowAxis)})`;
}

/** The series and the chance-floor band, in SVG so that the legend goes into exports. */
export function LinearityLegend({ layout }: { readonly layout: LinearityLayout }) {
  const legend = legendLayout<LinearitySeriesKey | 'floor'>(
    [
      ...layout.series.map((s) => ({ key: s.key, label: s.label })),
      { key: 'floor', label: floorLegendLabel(layout.floorBelowAxis) },
    ],
    layout.width,
  );
  return (
    <ChartLegend
      legend={legend}
      swatch={(key) =>
        key === 'floor' ? (
          <rect className="lsc-floor-swatch" x="2" y="-5" width="26" height="10" />
        ) : (
          <SeriesSwatch className={SERIES_CLASS[key]} marker={key} />
        )
      }
    />
  );
}
