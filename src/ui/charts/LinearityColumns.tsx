import { dataValue } from './format';
import type { LinearityLayout, PairColumn } from './linearityLayout';

interface LinearityColumnsProps {
  readonly layout: LinearityLayout;
  readonly focusLayer: number | null;
  readonly hovered: PairColumn | null;
  /** Blocks picked for the experiment: outlined, left out of exports (they are a choice, not data). */
  readonly selected: readonly number[];
}

/**
 * What sits behind the lines: the chance-floor bands, pending columns, the focused pair's band,
 * the blocks picked for the experiment and the hovered column (the last three are the reader's
 * choice, not data: left out of exports).
 */
export function LinearityColumns({ layout, focusLayer, hovered, selected }: LinearityColumnsProps) {
  const { yBottom, yTop } = layout;
  const focused = focusLayer !== null ? layout.pairAt(focusLayer) : undefined;
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
          data-export-skip=""
          x={focused.left}
          y={yTop}
          width={focused.width}
          height={yBottom - yTop}
          data-testid="linearity-focus"
          data-layer={focused.layer}
        />
      )}
      {selected
        .flatMap((b) => {
          const column = layout.pairAt(b);
          return column ? [column] : [];
        })
        .map((column) => (
          <rect
            key={`selected-${column.layer}`}
            className="lsc-selected"
            data-export-skip=""
            data-testid="linearity-selected"
            data-block={column.layer}
            x={column.left + 2}
            y={yTop - 2}
            width={Math.max(0, column.width - 4)}
            height={yBottom - yTop + 4}
          />
        ))}
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
