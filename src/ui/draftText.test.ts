import { afterEach, describe, expect, it, vi } from 'vitest';
import { DRAFT_DELAY_MS, DraftKeeper, keepDraft, keptDraft, MAX_DRAFT_CHARS } from './draftText';
import type { ChoiceStorage } from './rememberedChoice';

/** A storage that holds values up to `limit` characters and refuses longer ones, as a full one does. */
function storage(limit = Number.POSITIVE_INFINITY): ChoiceStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (value.length > limit) throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
  };
}

describe('the tab’s draft', () => {
  it('gives back the prompt it kept', () => {
    const tab = storage();
    keepDraft(tab, { text: 'one\n\ntwo', corpus: true, fileName: 'docs.jsonl' });
    expect(keptDraft(tab)).toEqual({ text: 'one\n\ntwo', corpus: true, fileName: 'docs.jsonl' });
  });

  it('keeps no older draft where storage refuses the newer one', () => {
    const tab = storage(200);
    keepDraft(tab, { text: 'short', corpus: false, fileName: null });
    keepDraft(tab, { text: 'x'.repeat(500), corpus: false, fileName: null });
    expect(keptDraft(tab)).toBeNull();
  });

  it('reads nothing from storage it cannot use, or from values it did not write', () => {
    expect(keptDraft(null)).toBeNull();
    const tab = storage();
    tab.setItem('linscope.draft', '{not json');
    expect(keptDraft(tab)).toBeNull();
    tab.setItem('linscope.draft', JSON.stringify({ text: 5, corpus: false }));
    expect(keptDraft(tab)).toBeNull();
  });

  it('does not offer a text longer than MAX_DRAFT_CHARS to storage, and keeps no older draft then', () => {
    const tab = storage();
    const written: number[] = [];
    const counting = {
      getItem: tab.getItem,
      setItem: (key: string, value: string) => {
        written.push(value.length);
        tab.setItem(key, value);
      },
    };
    keepDraft(counting, { text: 'short', corpus: false, fileName: null });
    keepDraft(counting, { text: 'x'.repeat(MAX_DRAFT_CHARS + 1), corpus: false, fileName: 'big.txt' });
    expect(Math.max(...written)).toBeLessThan(100);
    expect(keptDraft(tab)).toBeNull();
    keepDraft(counting, { text: 'x'.repeat(MAX_DRAFT_CHARS), corpus: false, fileName: null });
    expect(keptDraft(tab)?.text.length).toBe(MAX_DRAFT_CHARS);
  });
});

describe('DraftKeeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the draft once the user pauses, only the last text, and at once when flushed', () => {
    vi.useFakeTimers();
    const tab = storage();
    let writes = 0;
    const counting = {
      getItem: tab.getItem,
      setItem: (key: string, value: string) => {
        writes++;
        tab.setItem(key, value);
      },
    };
    const keeper = new DraftKeeper(() => counting);
    for (const text of ['a', 'ab', 'abc']) {
      keeper.change({ text, corpus: false, fileName: null });
      vi.advanceTimersByTime(DRAFT_DELAY_MS - 1);
    }
    expect(writes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(writes).toBe(1);
    expect(keptDraft(tab)?.text).toBe('abc');
    // Left or reloaded before the pause ends: what was typed is written then.
    keeper.change({ text: 'abcd', corpus: false, fileName: null });
    keeper.flush();
    expect(keptDraft(tab)?.text).toBe('abcd');
    vi.advanceTimersByTime(DRAFT_DELAY_MS);
    keeper.flush();
    expect(writes).toBe(2);
  });
});
