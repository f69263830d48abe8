import type { RefObject } from 'react';
import type { HeatmapLayout } from './heatmapLayout';

interface HeatmapRowLabelsProps {
  readonly layout: HeatmapLayout;
  readonly focusLayer: number | null;
  readonly onFocusLayer?: (layer: number) => void;
  /** The SVG, for the export. */
  readonly svgRef: RefObject<SVGSVGElement | null>;
}

/** The pair labels left of the grid; a click on one focuses its pair. Pending pairs end in "…". */
export function HeatmapRowLabels({ layout, focusLayer, onFocusLayer, svgRef }: HeatmapRowLabelsProps) {
  return (
    <svg
      ref={svgRef}
      className="lsc-heatmap__rows"
      width={layout.rowLabelWidth}
      height={layout.gridHeight}
      aria-hidden="true"
    >
      {layout.rowLabels.map((r) => (
        // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; the keyboard reaches rows through the grid cursor (Enter).
        <g
          key={r.layer}
          className={`lsc-rowlabel lsc-rowlabel--${r.state}${focusLayer === r.layer ? ' lsc-rowlabel--focus' : ''}`}
          data-layer={r.layer}
          onClick={() => onFocusLayer?.(r.layer)}
        >
          <rect x={0} y={r.y} width={layout.rowLabelWidth} height={layout.cellHeight} />
          <text x={layout.rowLabelWidth - 6} y={r.y + layout.cellHeight / 2} dy="0.32em" textAnchor="end">
            {r.state === 'pending' ? `${r.label} …` : r.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
