/**
 * Token text made visible. Tokens often start with a space or are only whitespace, and a byte-level
 * tokenizer can cut a UTF-8 character in two, leaving a token whose text is empty: shown as is,
 * all of these would be invisible or break the layout.
 */
const VISIBLE: Readonly<Record<string, string>> = {
  ' ': '·',
  '\n': '⏎',
  '\t': '⇥',
  '\r': '␍',
  '\u007f': '␡',
};

/**
 * Invisible characters that would hide a token or reorder what is drawn after it: direction marks,
 * embeddings, overrides and isolates (a token with U+202E would mirror the labels that follow it),
 * zero-width spaces and the byte-order mark. Shown by code point, e.g. ⟨U+202E⟩. The zero-width
 * (non-)joiners stay: emoji sequences and several scripts need them.
 */
const INVISIBLE = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/**
 * Spaces as '·', newline '⏎', tab '⇥', other control characters as their Control Pictures, invisible
 * formatting characters as ⟨U+XXXX⟩, '' as '∅'.
 */
export function tokenLabel(text: string): string {
  if (text === '') return '∅';
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      VISIBLE[ch] ??
      (code < 0x20
        ? String.fromCodePoint(0x2400 + code)
        : INVISIBLE.test(ch)
          ? `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`
          : ch);
  }
  return out;
}

/** At most `max` characters (code points, so no surrogate pair is split), with '…' when cut. */
export function truncateLabel(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
