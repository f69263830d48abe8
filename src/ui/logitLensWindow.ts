/**
 * Which tokens the logit lens grid shows: as many columns as fit the card's width (a dozen at
 * most, enough to read a phrase), centred on the focused token. The table is laid out to exactly
 * this width, so it never runs past its card.
 */

/** Columns shown at most. */
export const MAX_LENS_COLUMNS = 12;
/** Columns shown at least, however narrow the card (a phone still reads three predictions). */
export const MIN_LENS_COLUMNS = 3;
/** The "State" column's width in CSS pixels (room for "embeddings" and "12 (output)"). */
export const LENS_STATE_COLUMN = 96;
/** The narrowest token column in CSS pixels: about eight characters of the grid's type. */
export const LENS_MIN_COLUMN = 72;

export interface LensWindow {
  /** The first token shown. */
  readonly start: number;
  /** The token indices shown, in order. */
  readonly tokens: number[];
}

/** How many token columns fit a grid `width` CSS pixels wide. */
export function lensColumnCount(width: number): number {
  const fit = Math.floor((width - LENS_STATE_COLUMN) / LENS_MIN_COLUMN);
  return Math.max(MIN_LENS_COLUMNS, Math.min(MAX_LENS_COLUMNS, fit));
}

/** The tokens shown for `tokenCount` tokens in a grid `width` wide, centred on `focusToken` (null: the start). */
export function lensWindow(width: number, tokenCount: number, focusToken: number | null): LensWindow {
  const count = Math.min(lensColumnCount(width), tokenCount);
  const centre = focusToken ?? 0;
  const start = Math.max(0, Math.min(centre - Math.floor(count / 2), tokenCount - count));
  return { start, tokens: Array.from({ length: count }, (_, i) => start + i) };
}
