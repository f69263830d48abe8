/**
 * The text in the prompt box, kept for this tab in sessionStorage so that a reload gives it back,
 * analysed or not (a reload otherwise restores the last analysis, whose text may be older). Only a
 * reload of the tab reads it: a link opened in the tab shows the link's text. It never leaves the
 * browser; storage that refuses (blocked, full: a long corpus) keeps nothing.
 */
import type { PromptInput } from './promptInput';
import type { ChoiceStorage } from './rememberedChoice';

const KEY = 'linscope.draft';

/** This tab's sessionStorage, or null where reading it throws (storage blocked). */
export function tabStorage(): ChoiceStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** Whether this page load is a reload of the tab (not a link followed, not a new tab). */
export function isReload(): boolean {
  try {
    const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return entry?.type === 'reload';
  } catch {
    return false;
  }
}

/** Keeps `input` as the tab's draft. */
export function keepDraft(storage: ChoiceStorage | null, input: PromptInput): void {
  try {
    storage?.setItem(
      KEY,
      JSON.stringify({ text: input.text, corpus: input.corpus, fileName: input.fileName }),
    );
  } catch {
    // Too long for the storage, or storage refused: a reload then restores the last analysis.
    try {
      (storage as (ChoiceStorage & { removeItem?: (key: string) => void }) | null)?.removeItem?.(KEY);
    } catch {
      // Nothing kept either way.
    }
  }
}

/** The tab's draft, or null: none kept, or not one LinScope wrote. */
export function keptDraft(storage: ChoiceStorage | null): PromptInput | null {
  try {
    const value: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Record<string, unknown>;
    if (typeof v.text !== 'string' || typeof v.corpus !== 'boolean') return null;
    return { text: v.text, corpus: v.corpus, fileName: typeof v.fileName === 'string' ? v.fileName : null };
  } catch {
    return null;
  }
}
