/**
 * Token lists inside a permalink's result section: ids as varints, document runs, and each token's
 * text as a span of the shared text where it is one (the common case, a byte or two), else spelled
 * out (docs/permalinks.md, "Result section").
 */
import type { ResultToken } from '../job/result';
import { type ByteReader, type ByteWriter, PermalinkFormatError } from './permalinkBytes';

/** How far ahead of the cursor a token's text is looked for in the shared text. */
const RESYNC_CHARS = 8;

export function writeTokens(w: ByteWriter, tokens: readonly ResultToken[], docs: readonly string[]): void {
  w.varint(tokens.length);
  const runs: { doc: number; count: number }[] = [];
  for (const t of tokens) {
    const last = runs[runs.length - 1];
    if (last && last.doc === t.doc) last.count++;
    else runs.push({ doc: t.doc, count: 1 });
  }
  w.varint(runs.length);
  for (const r of runs) {
    w.varint(r.doc);
    w.varint(r.count);
  }
  for (const t of tokens) w.varint(t.id);
  // Texts: a span of the document at the cursor (possibly a few characters on) when the token is
  // one; otherwise spelled out (BOS markers, halves of a character split across byte tokens).
  let doc = -1;
  let cursor = 0;
  for (const t of tokens) {
    if (t.doc !== doc) {
      doc = t.doc;
      cursor = 0;
    }
    const text = docs[t.doc] ?? '';
    const at = t.text.length > 0 ? text.indexOf(t.text, cursor) : -1;
    if (at >= 0 && at - cursor <= RESYNC_CHARS) {
      w.varint(at - cursor);
      w.varint(t.text.length * 2);
      cursor = at + t.text.length;
    } else {
      w.varint(0);
      const bytes = new TextEncoder().encode(t.text);
      w.varint(bytes.length * 2 + 1);
      w.raw(bytes);
    }
  }
}

/** The tokens written by `writeTokens`; more than `maxTokens` is a malformed link. */
export function readTokens(r: ByteReader, docs: readonly string[], maxTokens: number): ResultToken[] {
  const T = r.varint(maxTokens);
  const runCount = r.varint(T);
  const docOf: number[] = [];
  for (let k = 0; k < runCount; k++) {
    const doc = r.varint(docs.length - 1);
    const count = r.varint(T - docOf.length);
    for (let i = 0; i < count; i++) docOf.push(doc);
  }
  if (docOf.length !== T) throw new PermalinkFormatError('token documents do not add up');
  const ids: number[] = [];
  for (let i = 0; i < T; i++) ids.push(r.varint());
  const tokens: ResultToken[] = [];
  let doc = -1;
  let cursor = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < T; i++) {
    if (docOf[i] !== doc) {
      doc = docOf[i];
      cursor = 0;
    }
    const skip = r.varint(RESYNC_CHARS);
    const code = r.varint();
    const length = code >> 1;
    let text: string;
    if (code & 1) {
      try {
        text = decoder.decode(r.raw(length));
      } catch (error) {
        if (error instanceof PermalinkFormatError) throw error;
        throw new PermalinkFormatError('token text that is not UTF-8');
      }
      cursor += skip;
    } else {
      const start = cursor + skip;
      if (start + length > docs[doc].length) throw new PermalinkFormatError('token offsets beyond the text');
      text = docs[doc].slice(start, start + length);
      cursor = start + length;
    }
    tokens.push({ id: ids[i], text, doc });
  }
  return tokens;
}
