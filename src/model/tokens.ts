/** One token as a reader should see it: its id, its text, and where that text sits in the input. */
export interface TokenInfo {
  id: number;
  text: string;
  /** Character offsets [start, end) into the concatenation of all tokens' texts. */
  start: number;
  end: number;
}

/** How many earlier tokens to decode with each token, so characters split across tokens come out whole. */
const LOOKBACK = 4;

const stripIncomplete = (s: string) => s.replace(/\uFFFD+$/, '');

/**
 * Per-token text: what each token adds to the decoded text. A byte-level tokenizer can split one
 * character over several tokens; the character is given to the token that completes it (the tokens
 * before it get ''), so no token shows a replacement character for a character that decodes fine.
 */
export function tokenTexts(ids: readonly number[], decode: (ids: number[]) => string): TokenInfo[] {
  const out: TokenInfo[] = [];
  let offset = 0;
  for (let i = 0; i < ids.length; i++) {
    const from = Math.max(0, i - LOOKBACK);
    const last = i === ids.length - 1;
    const before = i > from ? stripIncomplete(decode(ids.slice(from, i))) : '';
    const full = decode(ids.slice(from, i + 1));
    const upTo = last ? full : stripIncomplete(full);
    const text = upTo.startsWith(before) ? upTo.slice(before.length) : upTo;
    out.push({ id: ids[i], text, start: offset, end: offset + text.length });
    offset += text.length;
  }
  return out;
}
