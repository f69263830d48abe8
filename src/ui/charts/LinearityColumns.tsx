import { dataValue } from './format';
import type { LinearityLayout, PairColumn } from './linearityLayout';

interface LinearityColumnsProps {
  readonly layout: LinearityLayout;
  readonly focusLayer: number | null;
  readonly hovered: PairColumn | null;
}

/**
 * What sits behind the lines: the chance-floor bands, pending columns, the focused pair's band
 * and the hovered column (left out of exports).
 */
export function LinearityColumns({ layout, focusLayer, hovered }: LinearityColumnsProps) {
  const { yBottom, yTop } = layout;
  const focused = focusLayer !== null ? layout.pairs[focusLayer] : undefined;
  return (
    <>
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
      {focused && (
        <rect
          className="lsc-focus"
          x={focused.left}
          y={yTop}
          width={focused.width}
          height={yBottom - yTop}
          data-testid="linearity-focus"
          data-layer={focused.layer}
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
    </>
  );
}
