import { describe, expect, it } from 'vitest';
import { keepDraft, keptDraft } from './draftText';
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
});
