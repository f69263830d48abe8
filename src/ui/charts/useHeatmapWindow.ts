import { useEffect, useState } from 'react';
import {
  clampWindow,
  initialWindow,
  panWindow,
  showsWholeText,
  type TokenWindow,
  type WindowLimits,
  windowLimits,
  windowShowingToken,
  zoomWindow,
} from './heatmapWindow';

export interface HeatmapWindowState {
  /** The tokens the detail view draws, inside the text and the limits. */
  readonly window: TokenWindow;
  readonly limits: WindowLimits;
  /** The whole text fits the detail view: no overview and no zoom. */
  readonly whole: boolean;
  readonly setWindow: (window: TokenWindow) => void;
  /** Zoom by `factor` (below 1: in) keeping token position `anchor` in place. */
  readonly zoom: (factor: number, anchor: number) => void;
  /** Move by `delta` tokens. */
  readonly pan: (delta: number) => void;
  /** Move just far enough that `token` shows (the keyboard cursor stepping past an edge). */
  readonly reveal: (token: number) => void;
}

/**
 * The heatmap's detail window over `total` tokens drawn `available` CSS pixels wide. It starts
 * at the text's beginning, follows every change of `focusToken` or `focusRequest` (a token picked
 * in the flash list, the text view or the logit lens is centred unless it shows already), and is
 * kept inside the text and the limits when the width or the text changes.
 */
export function useHeatmapWindow(
  total: number,
  available: number,
  focusToken: number | null,
  focusRequest = 0,
): HeatmapWindowState {
  const limits = windowLimits(total, available);
  const [chosen, setChosen] = useState<TokenWindow | null>(null);
  const window = clampWindow(chosen ?? initialWindow(total, available, limits), total, limits);
  const whole = showsWholeText(total, limits);

  // Only a token chosen moves the window; a resize keeps the user's window (clamped).
  // biome-ignore lint/correctness/useExhaustiveDependencies: total, available and limits are read, not watched; focusRequest is a trigger.
  useEffect(() => {
    if (focusToken === null || focusToken < 0 || focusToken >= total) return;
    setChosen((w) =>
      windowShowingToken(w ?? initialWindow(total, available, limits), focusToken, total, limits, 'centre'),
    );
  }, [focusToken, focusRequest]);

  return {
    window,
    limits,
    whole,
    setWindow: (w) => setChosen(clampWindow(w, total, limits)),
    zoom: (factor, anchor) => setChosen(zoomWindow(window, factor, anchor, total, limits)),
    pan: (delta) => setChosen(panWindow(window, delta, total, limits)),
    reveal: (token) => setChosen(windowShowingToken(window, token, total, limits, 'edge')),
  };
}
