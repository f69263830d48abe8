import type { TokenWindow, WindowLimits } from './heatmapWindow';

interface HeatmapWindowControlsProps {
  readonly window: TokenWindow;
  readonly limits: WindowLimits;
  readonly total: number;
  /** Move by a whole window (−1 earlier, +1 later). */
  readonly onPage: (direction: -1 | 1) => void;
  /** Zoom in (+1: fewer, wider columns) or out (−1). */
  readonly onZoom: (direction: -1 | 1) => void;
}

/** Which tokens the detail shows, and buttons to page through the text and zoom. */
export function HeatmapWindowControls({ window, limits, total, onPage, onZoom }: HeatmapWindowControlsProps) {
  const span = window.end - window.start;
  return (
    <div className="lsc-window-controls">
      <span className="lsc-window-controls__range" data-testid="heatmap-window" aria-live="polite">
        Tokens {(window.start + 1).toLocaleString('en')}–{window.end.toLocaleString('en')} of{' '}
        {total.toLocaleString('en')}
      </span>
      <button
        type="button"
        data-testid="heatmap-page-earlier"
        aria-label="Show the tokens before these"
        disabled={window.start === 0}
        onClick={() => onPage(-1)}
      >
        ◀
      </button>
      <button
        type="button"
        data-testid="heatmap-page-later"
        aria-label="Show the tokens after these"
        disabled={window.end >= total}
        onClick={() => onPage(1)}
      >
        ▶
      </button>
      <button
        type="button"
        data-testid="heatmap-zoom-out"
        aria-label="Zoom out: more tokens, narrower columns"
        disabled={span >= limits.maxSpan}
        onClick={() => onZoom(-1)}
      >
        −
      </button>
      <button
        type="button"
        data-testid="heatmap-zoom-in"
        aria-label="Zoom in: fewer tokens, wider columns"
        disabled={span <= limits.minSpan}
        onClick={() => onZoom(1)}
      >
        +
      </button>
    </div>
  );
}
