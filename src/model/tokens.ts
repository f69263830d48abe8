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

/**
 * A decoded window without the character its last bytes have only begun: an incomplete UTF-8
 * sequence at the end decodes to exactly one U+FFFD. Only that one goes: a window that starts inside
 * a long run of split characters (emoji sequences) decodes to several, and the earlier ones are the
 * window's own start, the same in the window before.
 */
const stripIncomplete = (s: string) => (s.endsWith('\uFFFD') ? s.slice(0, -1) : s);

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

/** Token ids past the embedding table a tokenizer may have (added special tokens) before it is refused. */
const STRAY_IDS_ALLOWED = 16;

/**
 * Why a tokenizer is not this model's, or null: its ids (`ids`, every id of its vocabulary) run past
 * the model's embedding table (`vocab` rows, from config.json). Such a tokenizer would make the
 * model fail on the first token past the table, with onnxruntime's words ("indices element out of
 * data bounds"), or worse, run on the wrong tokens.
 */
export function tokenizerMismatch(ids: Iterable<number>, vocab: number | null): string | null {
  if (vocab === null) return null;
  let count = 0;
  let beyond = 0;
  for (const id of ids) {
    count++;
    if (id >= vocab) beyond++;
  }
  if (beyond <= STRAY_IDS_ALLOWED) return null;
  return (
    `tokenizer.json is not this model’s: it has ${count} tokens, and config.json says vocab_size ${vocab}. ` +
    'Put the tokenizer.json that came with the model beside its config.json.'
  );
}
