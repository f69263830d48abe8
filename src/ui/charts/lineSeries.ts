import { line } from 'd3';

/** One drawn point: `value` is the number from the result, `x`/`y` its pixel position. */
export interface SeriesPoint {
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly value: number;
}

/** A position with no value: a pending entry, or a null score with the reason it is null. */
export interface SeriesGap {
  readonly index: number;
  readonly x: number;
  readonly pending: boolean;
  readonly reason: string | null;
}

export interface LineSeriesLayout {
  readonly points: SeriesPoint[];
  readonly gaps: SeriesGap[];
  /** SVG path through the points, broken wherever a value is missing (never bridged). */
  readonly path: string;
}

/** A value, or `undefined` for pending, or null (with the reason) for no value. */
export interface SeriesInput {
  readonly value: number | null | undefined;
  readonly reason?: string | null;
}

export function lineSeries(
  inputs: readonly SeriesInput[],
  x: (index: number) => number,
  y: (value: number) => number,
): LineSeriesLayout {
  const points: SeriesPoint[] = [];
  const gaps: SeriesGap[] = [];
  const cells: (SeriesPoint | null)[] = inputs.map((input, index) => {
    if (input.value === null || input.value === undefined || !Number.isFinite(input.value)) {
      gaps.push({ index, x: x(index), pending: input.value === undefined, reason: input.reason ?? null });
      return null;
    }
    const p = { index, x: x(index), y: y(input.value), value: input.value };
    points.push(p);
    return p;
  });
  const path =
    line<SeriesPoint | null>()
      .defined((p) => p !== null)
      .x((p) => p!.x)
      .y((p) => p!.y)(cells) ?? '';
  return { points, gaps, path };
}
