/**
 * Token text for tokens that are part of a character. A byte-level tokenizer (GPT-2, Qwen2,
 * GPT-NeoX) or a SentencePiece one with byte fallback (Llama) can have tokens that hold only some
 * of the bytes of a multi-byte UTF-8 character; decoded alone they come out as U+FFFD "�", and
 * every such token looks the same. LinScope shows their bytes instead, escaped as in Python or C:
 * `\xe2\x80`, after whatever part of the token does decode (`Ġâ` → ` \xe2`). No spaces inside, so
 * the display (which shows spaces as `·`) leaves them as they are.
 */

const REPLACEMENT = '\uFFFD';

/**
 * GPT-2's byte-level alphabet: each byte is one printable character in the vocabulary (printable
 * Latin-1 bytes stand for themselves, the rest are shifted to U+0100 and up, e.g. space → `Ġ`).
 */
function byteLevelAlphabet(): Map<string, number> {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
  const alphabet = new Map<string, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    alphabet.set(String.fromCodePoint(printable(b) ? b : 256 + shifted++), b);
  }
  return alphabet;
}

let alphabet: Map<string, number> | null = null;

/**
 * The bytes a vocabulary entry stands for: a byte-fallback token `<0xE2>`, or a byte-level token
 * whose every character is in GPT-2's alphabet. Null for any other entry (its bytes are unknown).
 */
export function vocabTokenBytes(token: string): Uint8Array | null {
  const fallback = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  if (fallback) return Uint8Array.of(Number.parseInt(fallback[1], 16));
  alphabet ??= byteLevelAlphabet();
  const bytes: number[] = [];
  for (const ch of token) {
    const b = alphabet.get(ch);
    if (b === undefined) return null;
    bytes.push(b);
  }
  return bytes.length > 0 ? Uint8Array.from(bytes) : null;
}

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text: complete UTF-8 characters as themselves, any other byte as `\xe2`. */
export function bytesText(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i]);
    let text: string | null = null;
    if (n > 0 && i + n <= bytes.length) {
      try {
        text = strict.decode(bytes.subarray(i, i + n));
      } catch {
        text = null;
      }
    }
    if (text === null) {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += text;
      i += n;
    }
  }
  return out;
}

/**
 * A token's text as a reader should see it: `decoded` (the tokenizer's decoding of the token alone)
 * unless it has a replacement character and the vocabulary entry's bytes are known; then those
 * bytes, partial characters shown as `\xhh`. A token that really is "�" (bytes ef bf bd) stays so.
 */
export function readableTokenText(decoded: string, vocabToken: string | undefined): string {
  if (!decoded.includes(REPLACEMENT) || vocabToken === undefined) return decoded;
  const bytes = vocabTokenBytes(vocabToken);
  return bytes ? bytesText(bytes) : decoded;
}
