/**
 * The `logitLens` section of a result checked field by field, as it arrives from a `.linscope.json`
 * file or a stored record: untrusted input. The grid and the heatmap's tooltips index it by state
 * and token, so every row must be there, of the right length, with ids of the model's vocabulary
 * and a text for each. A section that fails is dropped by the caller with a note; the rest of the
 * result still opens. The checked copy holds only the known fields.
 */
import type { ResultLogitLens } from '../job/result';
import { isRecord } from './isRecord';

/** Thrown with what is wrong, in words a note can carry. */
export class LogitLensInvalid extends Error {
  override name = 'LogitLensInvalid';
}

/** Longest token text kept (characters): a token is a few characters; more is a hostile file. */
const MAX_TOKEN_TEXT = 1024;

function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new LogitLensInvalid(what);
}

/** `[states][tokens]` of values that pass `check`. */
function grid<T>(
  v: unknown,
  states: number,
  tokens: number,
  name: string,
  check: (x: unknown) => boolean,
): T[][] {
  need(Array.isArray(v) && v.length === states, `${name} does not have one row per state (${states})`);
  for (const row of v as unknown[])
    need(
      Array.isArray(row) && row.length === tokens,
      `${name} has a row that is not one value per token (${tokens})`,
    );
  for (const row of v as unknown[][]) need(row.every(check), `${name} has a value out of range`);
  return v as T[][];
}

/**
 * The lens of a result with `states` states (L + 1) and `tokens` tokens, its ids below `vocab`
 * (0: the vocabulary's size is not known, as in results made from imported states).
 */
export function checkLogitLens(
  value: unknown,
  states: number,
  tokens: number,
  vocab: number,
): ResultLogitLens {
  need(isRecord(value), 'it is not an object');
  const lens = value as Record<string, unknown>;
  const isId = (x: unknown) =>
    Number.isInteger(x) && (x as number) >= 0 && (vocab <= 0 || (x as number) < vocab);
  const topId = grid<number>(lens.topId, states, tokens, 'topId', isId);
  const topProb = grid<number>(
    lens.topProb,
    states,
    tokens,
    'topProb',
    (x) => typeof x === 'number' && x >= 0 && x <= 1,
  );
  const nextLoss = grid<number | null>(
    lens.nextLoss,
    states,
    tokens,
    'nextLoss',
    (x) => x === null || (typeof x === 'number' && Number.isFinite(x) && x >= 0),
  );
  need(isRecord(lens.tokenText), 'tokenText is not an object');
  const given = lens.tokenText as Record<string, unknown>;
  // Only the texts of the ids the lens shows are kept, and each of them must be there.
  const tokenText: Record<string, string> = {};
  for (const row of topId)
    for (const id of row) {
      const key = String(id);
      if (key in tokenText) continue;
      const text = Object.hasOwn(given, key) ? given[key] : undefined;
      need(
        typeof text === 'string' && text.length <= MAX_TOKEN_TEXT,
        `tokenText has no text for token id ${id}`,
      );
      tokenText[key] = text;
    }
  return { topId, topProb, nextLoss, tokenText };
}
