/** Tokens the text view renders at once: a long text is shown a page at a time. */
export const TEXT_PAGE_SIZE = 2000;

/** A page of the text view: tokens `start` (included) to `end` (excluded). */
export interface TextPage {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Pages in the whole text (at least 1). */
  readonly count: number;
}

/** Page `index` of a text of `total` tokens, clamped to the pages there are. */
export function textPage(index: number, total: number, size = TEXT_PAGE_SIZE): TextPage {
  const count = Math.max(1, Math.ceil(total / size));
  const i = Math.max(0, Math.min(count - 1, Math.floor(index)));
  return { index: i, start: i * size, end: Math.min(total, (i + 1) * size), count };
}

/** The page that holds `token`. */
export function pageOfToken(token: number, size = TEXT_PAGE_SIZE): number {
  return Math.max(0, Math.floor(token / size));
}
