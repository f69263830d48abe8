import { pairLabel } from './chartResult';
import { dataValue } from './format';
import { LinearityMarker, SERIES_CLASS } from './LinearityMarker';
import type { LinearityLayout } from './linearityLayout';

interface LinearitySeriesProps {
  readonly layout: LinearityLayout;
  readonly focusLayer: number | null;
}

/**
 * Each series as a line with a marker per score (larger on the focused pair, on screen only) and a cross on the
 * axis where a scored pair has no value, its reason in the cross's title.
 */
export function LinearitySeries({ layout, focusLayer }: LinearitySeriesProps) {
  const { yBottom } = layout;
  return (
    <>
      {layout.series.map((s) => (
        <g key={s.key} className={`lsc-series ${SERIES_CLASS[s.key]}`} data-series-group={s.key}>
          <path d={s.path} className="lsc-line" />
          {s.points.map((p) => (
            <g
              key={p.index}
              // The focused pair's markers grow through the class, which exports drop (chartExport.ts).
              className={focusLayer === p.index ? 'lsc-point lsc-point--focus' : 'lsc-point'}
              data-series={s.key}
              data-layer={p.index}
              data-value={dataValue(p.value)}
            >
              <LinearityMarker series={s.key} x={p.x} y={p.y} />
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
    </>
  );
}
