import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesText, readableTokenText, vocabTokenBytes } from './tokenBytes';

describe('vocabTokenBytes(token)', () => {
  it("reads GPT-2's byte-level alphabet: printable bytes as themselves, the rest shifted", () => {
    expect([...(vocabTokenBytes('Ġthe') ?? [])]).toEqual([0x20, 0x74, 0x68, 0x65]);
    // U+2019 ’ is e2 80 99; in the vocabulary "âĢĻ".
    expect([...(vocabTokenBytes('âĢĻ') ?? [])]).toEqual([0xe2, 0x80, 0x99]);
    expect([...(vocabTokenBytes('âĢ') ?? [])]).toEqual([0xe2, 0x80]);
    expect([...(vocabTokenBytes('Ċ') ?? [])]).toEqual([0x0a]);
  });

  it('reads byte-fallback tokens and refuses entries outside the alphabet', () => {
    expect([...(vocabTokenBytes('<0xE2>') ?? [])]).toEqual([0xe2]);
    expect(vocabTokenBytes('▁the')).toBeNull();
    expect(vocabTokenBytes('')).toBeNull();
  });
});

describe('bytesText(bytes)', () => {
  it('decodes whole characters and escapes every other byte in hex', () => {
    expect(bytesText(Uint8Array.of(0xe2, 0x80))).toBe('\\xe2\\x80');
    expect(bytesText(Uint8Array.of(0x20, 0xe2))).toBe(' \\xe2');
    expect(bytesText(Uint8Array.of(0x99, 0x73))).toBe('\\x99s');
    expect(bytesText(Uint8Array.of(0xe2, 0x80, 0x99, 0x73))).toBe('’s');
    expect(bytesText(Uint8Array.of(0xf0, 0x9f, 0x98))).toBe('\\xf0\\x9f\\x98');
    expect(bytesText(Uint8Array.of(0xef, 0xbf, 0xbd))).toBe('\uFFFD');
  });
});

describe('readableTokenText(decoded, vocabToken)', () => {
  it('keeps text without a replacement character, and replaces "�" by the bytes', () => {
    expect(readableTokenText(' the', 'Ġthe')).toBe(' the');
    expect(readableTokenText('\uFFFD', 'âĢ')).toBe('\\xe2\\x80');
    expect(readableTokenText(' \uFFFD', 'Ġâ')).toBe(' \\xe2');
    expect(readableTokenText('\uFFFD', '<0xE2>')).toBe('\\xe2');
    // Bytes unknown: the decoding stays.
    expect(readableTokenText('\uFFFD', undefined)).toBe('\uFFFD');
    expect(readableTokenText('\uFFFD', '▁x')).toBe('\uFFFD');
  });

  it("gives every partial-byte token of the bundled model's vocabulary distinct, readable text", () => {
    const tokenizer = JSON.parse(
      readFileSync(new URL('../../public/models/linscope/tiny-gpt2/tokenizer.json', import.meta.url), 'utf8'),
    ) as { model: { vocab: Record<string, number> } };
    const decoder = new TextDecoder();
    const partial = Object.keys(tokenizer.model.vocab).filter((token) => {
      const bytes = vocabTokenBytes(token);
      return bytes !== null && decoder.decode(bytes).includes('\uFFFD');
    });
    expect(partial).toContain('âĢ');
    const texts = partial.map((token) => readableTokenText('\uFFFD', token));
    for (const text of texts) {
      expect(text).not.toContain('\uFFFD');
      expect(text).toMatch(/^ ?(\\x[0-9a-f]{2})+$/);
    }
    expect(new Set(texts).size).toBe(texts.length);
  });
});
