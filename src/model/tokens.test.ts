import { describe, expect, it } from 'vitest';
import { tokenizerMismatch, tokenTexts } from './tokens';

// A toy byte-level vocabulary: each id is one UTF-8 byte.
const decodeBytes = (ids: number[]) => new TextDecoder().decode(Uint8Array.from(ids));

describe('tokenTexts()', () => {
  it('gives each ASCII token its own text and offsets that add up', () => {
    const ids = [...new TextEncoder().encode('a b\n')];
    const tokens = tokenTexts(ids, decodeBytes);
    expect(tokens.map((t) => t.text)).toEqual(['a', ' ', 'b', '\n']);
    expect(tokens.map((t) => [t.start, t.end])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  it('gives a character split over several byte tokens to the token that completes it', () => {
    const ids = [...new TextEncoder().encode('é€x')]; // 2 + 3 + 1 bytes
    const tokens = tokenTexts(ids, decodeBytes);
    expect(tokens.map((t) => t.text)).toEqual(['', 'é', '', '', '€', 'x']);
    expect(tokens.map((t) => t.text).join('')).toBe('é€x');
    expect(tokens[4]).toMatchObject({ start: 1, end: 2 });
  });

  it('keeps emoji sequences longer than the look-back whole (family emoji with joiners)', () => {
    for (const text of ['Peace 👨‍👩‍👧 end', '👍🏽👍🏽 ok', 'a\u202Eb\u200bc שָׁלוֹם']) {
      const tokens = tokenTexts([...new TextEncoder().encode(text)], decodeBytes);
      expect(tokens.map((t) => t.text).join('')).toBe(text);
      expect(tokens.some((t) => t.text.includes('\uFFFD'))).toBe(false);
    }
  });

  it('keeps a replacement character for bytes that never form a character', () => {
    const tokens = tokenTexts([0x61, 0xe2, 0x82], decodeBytes); // "a" + a truncated euro sign
    expect(tokens[0].text).toBe('a');
    expect(tokens.map((t) => t.text).join('')).toBe(decodeBytes([0x61, 0xe2, 0x82]));
    expect(tokens[2].text).toContain('\uFFFD');
  });
});

describe('tokenizerMismatch()', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  it('refuses a tokenizer whose ids run past the embedding table', () => {
    expect(tokenizerMismatch(range(2048), 512)).toBe(
      'tokenizer.json is not this model’s: it has 2048 tokens, and config.json says vocab_size 512. ' +
        'Put the tokenizer.json that came with the model beside its config.json.',
    );
  });
  it('accepts a smaller vocabulary, a few added tokens past the table, or an unknown table size', () => {
    expect(tokenizerMismatch(range(500), 512)).toBeNull();
    expect(tokenizerMismatch(range(512 + 16), 512)).toBeNull();
    expect(tokenizerMismatch(range(512 + 17), 512)).not.toBeNull();
    expect(tokenizerMismatch(range(4096), null)).toBeNull();
  });
});
