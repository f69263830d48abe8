/**
 * The tokens that go with hidden states from elsewhere (docs/result-json.md, "Hidden states from
 * elsewhere"): a companion file chosen together with a `.npy`, or the `tokens` entry of a
 * safetensors file's metadata.
 *
 *   .json  ["In", " the", ...]            token strings
 *          [818, 262, ...]                token ids
 *          {"tokens": [...], "input_ids": [...]}   either or both
 *   .txt   one token string per line (UTF-8; a final newline is not a token; a token that holds a
 *          newline needs the .json form)
 */

export interface TokenList {
  readonly ids: readonly number[] | null;
  readonly texts: readonly string[] | null;
}

/** Why a token list cannot be used. */
export class TokenListError extends Error {
  override name = 'TokenListError';
}

const isTokenId = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;

function stringsOrNull(value: unknown, what: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new TokenListError(`${what} is not a list of strings`);
  return value;
}

function idsOrNull(value: unknown, what: string): number[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every(isTokenId))
    throw new TokenListError(`${what} is not a list of token ids (whole numbers from 0)`);
  return value;
}

/** A token list from JSON data: a list of strings, a list of ids, or an object with `tokens` and/or `input_ids`. */
export function tokenListFromJson(value: unknown): TokenList {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return { ids: null, texts: value };
    if (value.every(isTokenId)) return { ids: value, texts: null };
    throw new TokenListError('it is a list, but neither of token strings nor of token ids');
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const texts = stringsOrNull(record.tokens, 'its "tokens"');
    const ids = idsOrNull(record.input_ids, 'its "input_ids"');
    if (texts === null && ids === null) throw new TokenListError('it has neither "tokens" nor "input_ids"');
    if (texts !== null && ids !== null && texts.length !== ids.length)
      throw new TokenListError(
        `its "tokens" (${texts.length}) and "input_ids" (${ids.length}) differ in length`,
      );
    return { ids, texts };
  }
  throw new TokenListError('it is neither a list nor an object');
}

/** Reads a companion token file by its name's ending (.json or .txt). */
export function readTokenListFile(name: string, text: string): TokenList {
  if (/\.json$/i.test(name)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TokenListError('it is not JSON');
    }
    return tokenListFromJson(value);
  }
  if (/\.txt$/i.test(name)) {
    const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return { ids: null, texts: lines };
  }
  throw new TokenListError('a token list is a .json or .txt file');
}

/** The list's length (ids and texts agree when both are there). */
export function tokenListLength(list: TokenList): number {
  return list.texts?.length ?? list.ids?.length ?? 0;
}
