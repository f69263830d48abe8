/**
 * Heatmap rows inside a permalink: one byte per cell on a log scale between the row's positive
 * minimum and maximum (stored as float32), 0 for null and 1 for zero (docs/permalinks.md,
 * "Result section"). The relative error of a cell is at most half a level of that scale.
 */
import { type ByteReader, type ByteWriter, PermalinkFormatError } from './permalinkBytes';

/** Levels for positive values; code 0 is null, 1 is zero, 2..255 the log scale. */
export const LEVELS = 253;

/** One heatmap row as bytes: null 0, zero 1, else 2 + level on ln between the row's positive min and max. */
export function writeRow(w: ByteWriter, row: readonly (number | null)[]): number {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const v of row) {
    if (v !== null && v > 0) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (!row.some((v) => v !== null)) {
    w.byte(0);
    return 0;
  }
  if (max === 0) min = max = 1;
  // The ends as stored, so both sides quantise against the same numbers.
  const lo = Math.log(Math.fround(min));
  const hi = Math.log(Math.fround(max));
  const span = hi - lo;
  w.byte(1);
  w.float32(min);
  w.float32(max);
  const codes = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    codes[i] =
      v === null ? 0 : v <= 0 ? 1 : 2 + (span > 0 ? Math.round(((Math.log(v) - lo) / span) * LEVELS) : 0);
  }
  w.raw(codes);
  return span / LEVELS;
}

export function readRow(r: ByteReader, T: number): { row: (number | null)[]; step: number } {
  const kind = r.byte();
  if (kind === 0) return { row: new Array<number | null>(T).fill(null), step: 0 };
  if (kind !== 1) throw new PermalinkFormatError('unknown heatmap row kind');
  const min = r.float32();
  const max = r.float32();
  if (min === null || max === null || !(min > 0) || !(max >= min))
    throw new PermalinkFormatError('heatmap row range is not positive');
  const lo = Math.log(min);
  const span = Math.log(max) - lo;
  const codes = r.raw(T);
  const row = Array.from(codes, (c): number | null =>
    c === 0 ? null : c === 1 ? 0 : c === LEVELS + 2 ? max : Math.exp(lo + ((c - 2) / LEVELS) * span),
  );
  return { row, step: span / LEVELS };
}
