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

/** Spaces as '·', newline '⏎', tab '⇥', other control characters as their Control Pictures, '' as '∅'. */
export function tokenLabel(text: string): string {
  if (text === '') return '∅';
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += VISIBLE[ch] ?? (code < 0x20 ? String.fromCodePoint(0x2400 + code) : ch);
  }
  return out;
}

/** At most `max` characters (code points, so no surrogate pair is split), with '…' when cut. */
export function truncateLabel(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
