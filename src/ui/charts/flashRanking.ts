import type { ResultPerToken, ResultToken } from '../../job/result';

export interface RankedFlash {
  readonly layer: number;
  readonly token: number;
  readonly text: string;
  readonly value: number;
  /** The pair's flash threshold, same unit. */
  readonly threshold: number | null;
}

/**
 * The strongest flashes (flag set by the analysis), largest relative error first; ties keep the
 * earlier pair, then the earlier token, so the order is stable.
 */
export function rankFlashes(
  perToken: ResultPerToken,
  tokens: readonly ResultToken[],
  limit = 20,
): RankedFlash[] {
  const all: RankedFlash[] = [];
  for (const [layer, flags] of perToken.flash.entries()) {
    const row = perToken.nonlinearity[layer];
    if (!flags || !row) continue;
    for (let token = 0; token < flags.length; token++) {
      const value = row[token];
      if (flags[token] !== 1 || value === null || value === undefined) continue;
      all.push({
        layer,
        token,
        text: tokens[token]?.text ?? '',
        value,
        threshold: perToken.flashThreshold[layer] ?? null,
      });
    }
  }
  all.sort((a, b) => b.value - a.value || a.layer - b.layer || a.token - b.token);
  return all.slice(0, limit);
}

/** Total flagged cells, for "20 of 89". */
export function flashCount(perToken: ResultPerToken): number {
  let n = 0;
  for (const flags of perToken.flash) if (flags) for (const f of flags) if (f === 1) n++;
  return n;
}
