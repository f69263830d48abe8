import { describe, expect, it } from 'vitest';
import { tokenLabel, truncateLabel } from './tokenLabel';

describe('tokenLabel(text)', () => {
  it('shows spaces, newlines and tabs as visible marks', () => {
    expect(tokenLabel(' Once')).toBe('·Once');
    expect(tokenLabel('\n')).toBe('⏎');
    expect(tokenLabel('\t x')).toBe('⇥·x');
    expect(tokenLabel('a\r\n')).toBe('a␍⏎');
  });

  it('shows an empty token (a cut UTF-8 character) as ∅ and other controls as Control Pictures', () => {
    expect(tokenLabel('')).toBe('∅');
    expect(tokenLabel('\u0000')).toBe('␀');
    expect(tokenLabel('\u001b[0m')).toBe('␛[0m');
  });

  it('shows direction overrides, marks and zero-width spaces by code point; keeps emoji, joiners and RTL', () => {
    expect(tokenLabel('\u202Eevil')).toBe('⟨U+202E⟩evil');
    expect(tokenLabel('a\u200Bb\u200F\uFEFF')).toBe('a⟨U+200B⟩b⟨U+200F⟩⟨U+FEFF⟩');
    expect(tokenLabel('\u2066x\u2069')).toBe('⟨U+2066⟩x⟨U+2069⟩');
    expect(tokenLabel('👨\u200D👩\u200D👧')).toBe('👨\u200D👩\u200D👧');
    expect(tokenLabel('שָׁלוֹם مرحبا')).toBe('שָׁלוֹם·مرحبا');
  });

  it('leaves markup as plain characters (React renders it as text)', () => {
    expect(tokenLabel('<b>')).toBe('<b>');
  });
});

describe('truncateLabel(label, max)', () => {
  it('cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(truncateLabel('abcdef', 4)).toBe('abc…');
    expect(truncateLabel('abc', 4)).toBe('abc');
    expect(truncateLabel('😀😀😀😀😀', 3)).toBe('😀😀…');
  });
});
