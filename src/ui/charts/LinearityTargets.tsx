import type { KeyboardEvent } from 'react';
import type { LinearityLayout } from './linearityLayout';
import { describePair } from './linearityTooltip';
import type { PairHover } from './usePairHover';

interface LinearityTargetsProps {
  readonly layout: LinearityLayout;
  readonly focusLayer: number | null;
  readonly hover: PairHover;
  /** The tooltip's id, named by the hovered target. */
  readonly tooltipId: string;
  readonly onFocusLayer?: (layer: number) => void;
}

/** Space below the plot that the targets reach into, over the tick labels and end marks. */
const BELOW_PLOT = 34;

/**
 * One invisible button per pair, over its whole column and tick labels: hover or focus shows the
 * tooltip; click, Enter or Space focuses the pair. Left out of exports.
 */
export function LinearityTargets({
  layout,
  focusLayer,
  hover,
  tooltipId,
  onFocusLayer,
}: LinearityTargetsProps) {
  const { yBottom, yTop } = layout;
  const onKey = (e: KeyboardEvent, layer: number) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onFocusLayer?.(layer);
    }
  };
  return (
    <g className="lsc-hits" data-export-skip="">
      {layout.pairs.map((p) => (
        // biome-ignore lint/a11y/useSemanticElements: an SVG column cannot be a <button>; role, name, tabIndex and keys make it one.
        <rect
          key={p.layer}
          className="lsc-hit"
          x={p.left}
          y={yTop}
          width={p.width}
          height={yBottom - yTop + BELOW_PLOT}
          tabIndex={0}
          role="button"
          aria-pressed={focusLayer === p.layer}
          aria-label={describePair(p)}
          aria-describedby={hover.hover === p.layer ? tooltipId : undefined}
          data-testid="linearity-target"
          data-layer={p.layer}
          onMouseEnter={() => hover.enter(p.layer)}
          onMouseLeave={() => hover.leave(p.layer)}
          onFocus={() => hover.enter(p.layer)}
          onBlur={() => hover.leave(p.layer)}
          onClick={() => {
            hover.enter(p.layer);
            onFocusLayer?.(p.layer);
          }}
          onKeyDown={(e) => onKey(e, p.layer)}
        />
      ))}
    </g>
  );
}
