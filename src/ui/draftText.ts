/**
 * The text in the prompt box, kept for this tab in sessionStorage so that a reload gives it back,
 * analysed or not (a reload otherwise restores the last analysis, whose text may be older). Only a
 * reload of the tab reads it: a link opened in the tab shows the link's text. It never leaves the
 * browser; storage that refuses (blocked, full: a long corpus) keeps nothing, and a text longer
 * than `MAX_DRAFT_CHARS` is not offered to it (the box says so).
 */
import type { PromptInput } from './promptInput';
import { SHOWN_CHARS } from './promptView';
import { type ChoiceStorage, rememberChoice, rememberedChoice } from './rememberedChoice';

const KEY = 'linscope.draft';

/**
 * The longest text kept as the draft: what the prompt box shows whole (`promptView.ts`). A tab's
 * sessionStorage holds about 5 MB, and writing a long text is slow (Chromium: about 0.4 s for a
 * million characters); a 20 MB text was turned into JSON on every keystroke (0.6 s) only for the
 * storage to refuse it.
 */
export const MAX_DRAFT_CHARS = SHOWN_CHARS;

/** How long the draft waits after the last change before it is written. */
export const DRAFT_DELAY_MS = 500;

/** Whether this page load is a reload of the tab (not a link followed, not a new tab). */
export function isReload(): boolean {
  try {
    const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return entry?.type === 'reload';
  } catch {
    return false;
  }
}

/** Keeps `input` as the tab's draft (storage: `pageStorage('sessionStorage')`). */
export function keepDraft(storage: ChoiceStorage | null, input: PromptInput): void {
  // Too long for the storage, or storage refused: an older draft must not come back on a reload
  // instead (the last analysis does).
  if (input.text.length > MAX_DRAFT_CHARS) {
    rememberChoice(storage, KEY, 'null');
    return;
  }
  const draft = JSON.stringify({ text: input.text, corpus: input.corpus, fileName: input.fileName });
  if (!rememberChoice(storage, KEY, draft)) rememberChoice(storage, KEY, 'null');
}

/** The tab's draft, or null: none kept, or not one LinScope wrote. */
export function keptDraft(storage: ChoiceStorage | null): PromptInput | null {
  let value: unknown;
  try {
    value = JSON.parse(rememberedChoice(storage, KEY) ?? 'null');
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.text !== 'string' || typeof v.corpus !== 'boolean') return null;
  return { text: v.text, corpus: v.corpus, fileName: typeof v.fileName === 'string' ? v.fileName : null };
}

/**
 * Keeps the box's text as the draft once the user pauses (`DRAFT_DELAY_MS`), not on every keystroke;
 * `flush` writes what is waiting at once (the page calls it when it is hidden or left, so a reload
 * right after typing keeps what was typed).
 */
export class DraftKeeper {
  private waiting: PromptInput | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly storage: () => ChoiceStorage | null,
    private readonly delayMs = DRAFT_DELAY_MS,
  ) {}

  /** The box now holds `input`. */
  change(input: PromptInput): void {
    this.waiting = input;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes the text waiting, if any. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const input = this.waiting;
    this.waiting = null;
    if (input) keepDraft(this.storage(), input);
  }
}
