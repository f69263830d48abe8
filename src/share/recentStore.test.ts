import { describe, expect, it } from 'vitest';
import { recordedExample } from './permalink.testing';
import { keysToDrop, RECENT_LIMIT, recentTitle } from './recentStore';

describe('recentStore (pure parts; IndexedDB itself is covered by e2e/share.spec.ts)', () => {
  it('keysToDrop keeps the newest RECENT_LIMIT', () => {
    const keys = Array.from({ length: 13 }, (_, i) => 1000 + i);
    expect(keysToDrop(keys)).toEqual([1002, 1001, 1000]);
    expect(keysToDrop(keys.slice(0, RECENT_LIMIT))).toEqual([]);
  });

  it('recentTitle names model, the start of the text and the token count', () => {
    const { state, result } = recordedExample();
    expect(recentTitle(state, result)).toBe(
      'stories260K · “Once upon a time, there was a little gi…” · 148 tokens',
    );
  });
});
