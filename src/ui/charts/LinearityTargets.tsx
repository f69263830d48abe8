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
  /** Blocks picked for the experiment. */
  readonly selected: readonly number[];
  /** With Shift held, a click, Enter or Space picks or drops the column's block instead of focusing it. */
  readonly onToggleBlock?: (block: number) => void;
}

/** Space below the plot that the targets reach into, over the tick labels and end marks. */
const BELOW_PLOT = 34;

/**
 * One invisible button per pair, over its whole column and tick labels: hover or focus shows the
 * tooltip; click, Enter or Space focuses the pair, and with Shift held picks or drops its block for
 * the experiment. Left out of exports.
 */
export function LinearityTargets({
  layout,
  focusLayer,
  hover,
  tooltipId,
  onFocusLayer,
  selected,
  onToggleBlock,
}: LinearityTargetsProps) {
  const { yBottom, yTop } = layout;
  const activate = (shift: boolean, layer: number) => {
    if (shift && onToggleBlock) onToggleBlock(layer);
    else onFocusLayer?.(layer);
  };
  const onKey = (e: KeyboardEvent, layer: number) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate(e.shiftKey, layer);
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
          aria-label={`${describePair(p)}${selected.includes(p.layer) ? '; block picked for the experiment' : ''}`}
          aria-describedby={hover.hover === p.layer ? tooltipId : undefined}
          data-testid="linearity-target"
          data-layer={p.layer}
          onMouseEnter={() => hover.enter(p.layer)}
          onMouseLeave={() => hover.leave(p.layer)}
          onFocus={() => hover.enter(p.layer)}
          onBlur={() => hover.leave(p.layer)}
          onClick={(e) => {
            hover.enter(p.layer);
            activate(e.shiftKey, p.layer);
          }}
          onKeyDown={(e) => onKey(e, p.layer)}
        />
      ))}
    </g>
  );
}
