/**
 * A text file's bytes as the text LinScope analyses, the same in the page (an uploaded prompt) and
 * the command line (`--input`, `--reference`): UTF-8 only (a byte-order mark is dropped), and no
 * NUL bytes, which mark a binary file. Anything else is refused with what to do about it.
 */
import { LinScopeError } from '../errors';

export function decodeTextFile(bytes: Uint8Array, name: string): string {
  let text: string;
  try {
    // `ignoreBOM: false` (the default) drops a leading byte-order mark.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LinScopeError('BAD_INPUT', `“${name}” is not UTF-8 text. Save it as UTF-8 and try again.`);
  }
  if (text.includes('\u0000'))
    throw new LinScopeError(
      'BAD_INPUT',
      `“${name}” looks like a binary file, not text (it holds NUL bytes). Choose a text file (.txt, .md or .jsonl).`,
    );
  return text;
}
