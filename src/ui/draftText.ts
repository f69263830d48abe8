/**
 * The text in the prompt box, kept for this tab in sessionStorage so that a reload gives it back,
 * analysed or not (a reload otherwise restores the last analysis, whose text may be older). Only a
 * reload of the tab reads it: a link opened in the tab shows the link's text. It never leaves the
 * browser; storage that refuses (blocked, full: a long corpus) keeps nothing.
 */
import type { PromptInput } from './promptInput';
import { type ChoiceStorage, rememberChoice, rememberedChoice } from './rememberedChoice';

const KEY = 'linscope.draft';

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
  const draft = JSON.stringify({ text: input.text, corpus: input.corpus, fileName: input.fileName });
  // Too long for the storage, or storage refused: an older draft must not come back on a reload
  // instead (the last analysis does).
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
