/** The tokens the heatmap's detail view shows: `start` included, `end` excluded. */
export interface TokenWindow {
  readonly start: number;
  readonly end: number;
}

/** The fewest and most tokens the detail view may show at once. */
export interface WindowLimits {
  readonly minSpan: number;
  readonly maxSpan: number;
}

/** Narrowest detail column in CSS pixels: a flash dot stays a dot, the cursor a box. */
export const MIN_DETAIL_CELL = 4;
/** Widest detail column: wider cells say nothing more. */
export const MAX_DETAIL_CELL = 48;
/** Column width of the first detail window of a text too long to show whole. */
export const DEFAULT_DETAIL_CELL = 8;

/** How many tokens fit `available` CSS pixels at readable columns (4 to 48 px). */
export function windowLimits(total: number, available: number): WindowLimits {
  const maxSpan = Math.max(1, Math.min(total, Math.floor(available / MIN_DETAIL_CELL)));
  const minSpan = Math.max(1, Math.min(maxSpan, Math.ceil(available / MAX_DETAIL_CELL)));
  return { minSpan, maxSpan };
}

/** True when the whole text fits the detail view: no overview, no zoom. */
export function showsWholeText(total: number, limits: WindowLimits): boolean {
  return total <= limits.maxSpan;
}

/** The window with its span clamped to the limits (kept around its centre) and kept inside the text. */
export function clampWindow(window: TokenWindow, total: number, limits: WindowLimits): TokenWindow {
  if (total <= 0) return { start: 0, end: 0 };
  const span = Math.round(
    Math.min(limits.maxSpan, total, Math.max(limits.minSpan, window.end - window.start)),
  );
  const centre = (window.start + window.end) / 2;
  const start = Math.max(0, Math.min(total - span, Math.round(centre - span / 2)));
  return { start, end: start + span };
}

/**
 * The first window: the whole text when it fits; else its beginning at 8 px columns (or
 * whatever the limits allow).
 */
export function initialWindow(total: number, available: number, limits: WindowLimits): TokenWindow {
  if (showsWholeText(total, limits)) return { start: 0, end: total };
  const span = Math.floor(available / DEFAULT_DETAIL_CELL);
  return clampWindow({ start: 0, end: span }, total, limits);
}

/**
 * Zoom by `factor` (below 1 zooms in: fewer tokens) keeping the token position `anchor` (a
 * fractional token index, e.g. under the pointer) where it is on screen.
 */
export function zoomWindow(
  window: TokenWindow,
  factor: number,
  anchor: number,
  total: number,
  limits: WindowLimits,
): TokenWindow {
  const span = window.end - window.start;
  const next = Math.round(Math.min(limits.maxSpan, total, Math.max(limits.minSpan, span * factor)));
  if (next === span) return window;
  const share = span > 0 ? (anchor - window.start) / span : 0.5;
  const start = Math.round(anchor - share * next);
  return clampWindow({ start, end: start + next }, total, limits);
}

/** Move the window by `delta` tokens (negative: towards the start), stopping at the text's ends. */
export function panWindow(
  window: TokenWindow,
  delta: number,
  total: number,
  limits: WindowLimits,
): TokenWindow {
  const span = window.end - window.start;
  const start = Math.max(0, Math.min(total - span, window.start + Math.round(delta)));
  return clampWindow({ start, end: start + span }, total, limits);
}

/**
 * A window that shows `token`: the same one if it shows it already; else, with `centre`, the
 * same span centred on it (a token picked elsewhere), or with `edge`, moved just far enough (a
 * keyboard cursor stepping past the edge).
 */
export function windowShowingToken(
  window: TokenWindow,
  token: number,
  total: number,
  limits: WindowLimits,
  mode: 'centre' | 'edge',
): TokenWindow {
  const current = clampWindow(window, total, limits);
  if (token >= current.start && token < current.end) return current;
  const span = current.end - current.start;
  const start =
    mode === 'centre' ? token - Math.floor(span / 2) : token < current.start ? token : token - span + 1;
  return clampWindow({ start, end: start + span }, total, limits);
}

/** Zoom step of the + / − buttons and keys. */
export const ZOOM_STEP = 1.5;

/**
 * The window after a key on the overview's brush: arrows move a quarter window, PageUp /
 * PageDown a whole one, Home / End go to the text's ends, + and − zoom about the centre. null
 * for any other key.
 */
export function windowAfterKey(
  window: TokenWindow,
  key: string,
  total: number,
  limits: WindowLimits,
): TokenWindow | null {
  const span = window.end - window.start;
  const step = Math.max(1, Math.round(span / 4));
  const centre = (window.start + window.end) / 2;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return panWindow(window, -step, total, limits);
    case 'ArrowRight':
    case 'ArrowUp':
      return panWindow(window, step, total, limits);
    case 'PageUp':
      return panWindow(window, -span, total, limits);
    case 'PageDown':
      return panWindow(window, span, total, limits);
    case 'Home':
      return panWindow(window, -total, total, limits);
    case 'End':
      return panWindow(window, total, total, limits);
    case '+':
    case '=':
      return zoomWindow(window, 1 / ZOOM_STEP, centre, total, limits);
    case '-':
    case '_':
      return zoomWindow(window, ZOOM_STEP, centre, total, limits);
    default:
      return null;
  }
}
