import type { ResultPerToken } from '../../job/result';

/**
 * Per-token values squeezed into pixel columns: for each row (layer pair) and column, the largest
 * value of the tokens the column covers and whether any of them is a flash. The maximum, not the
 * mean, so that a single non-linear token never fades into its neighbours.
 */
export interface ColumnMaxima {
  readonly rows: number;
  readonly columns: number;
  /** Tokens covered, all of them. */
  readonly tokens: number;
  /** Row-major, `rows * columns`; NaN where no covered token has a value (the pair had no map). */
  readonly values: Float64Array;
  /** Row-major, 1 where a covered token is a flash. */
  readonly flash: Uint8Array;
  /** Rows whose pair is not scored yet. */
  readonly pendingRows: readonly boolean[];
}

/**
 * The tokens pixel column `column` of `columns` covers among `tokens`: `[start, end)`. A token
 * straddling two columns belongs to both, so every token lies in at least one column; with more
 * columns than tokens, neighbouring columns share a token.
 */
export function columnTokens(column: number, columns: number, tokens: number): [number, number] {
  const start = Math.floor((column * tokens) / columns);
  const end = Math.min(tokens, Math.max(start + 1, Math.ceil(((column + 1) * tokens) / columns)));
  return [start, end];
}

/** The pixel column that shows token `token`'s start (the inverse of `columnTokens`, rounded down). */
export function tokenColumn(token: number, columns: number, tokens: number): number {
  return Math.min(columns - 1, Math.max(0, Math.floor((token * columns) / Math.max(1, tokens))));
}

/**
 * Aggregate `tokens` tokens of `rows` pairs into `columns` pixel columns by their maximum, with
 * flashes kept (one pass over the tokens per row).
 */
export function columnMaxima(
  perToken: Pick<ResultPerToken, 'nonlinearity' | 'flash'>,
  rows: number,
  tokens: number,
  columns: number,
): ColumnMaxima {
  const cols = Math.max(1, Math.floor(columns));
  const values = new Float64Array(rows * cols).fill(Number.NaN);
  const flash = new Uint8Array(rows * cols);
  const pendingRows: boolean[] = [];
  for (let l = 0; l < rows; l++) {
    const row = perToken.nonlinearity[l];
    const flags = perToken.flash[l];
    pendingRows.push(!row);
    if (!row) continue;
    for (let c = 0; c < cols; c++) {
      const [t0, t1] = columnTokens(c, cols, tokens);
      let max = Number.NaN;
      let any = 0;
      for (let t = t0; t < t1; t++) {
        if (flags?.[t] === 1) any = 1;
        const v = row[t];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        if (Number.isNaN(max) || v > max) max = v;
      }
      values[l * cols + c] = max;
      flash[l * cols + c] = any;
    }
  }
  return { rows, columns: cols, tokens, values, flash, pendingRows };
}
