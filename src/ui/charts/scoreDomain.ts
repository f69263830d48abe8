import { scaleLinear } from 'd3';

/**
 * How the linearity chart's score axis is chosen: `fitted` hugs the plotted scores (on a typical
 * model every with-residual score sits between 0.95 and 0.99, and a 0–1 axis draws them flat);
 * `full` is the score's whole range, 0 to 1 (lower when a held-out score falls below 0).
 */
export type ScoreAxisMode = 'fitted' | 'full';

/** Share of the scores' spread added below and above them before rounding to nice ticks. */
const PADDING_SHARE = 0.1;
/** Least padding, so that a single score (or equal ones) still gets an axis around it. */
const MIN_PADDING = 0.005;

/** Bottom of the full axis: 0, or the tenth below the lowest score when a score is negative. */
function fullBottom(lowest: number): number {
  return lowest < 0 ? Math.floor(lowest * 10) / 10 : 0;
}

/**
 * The score axis' domain for `scores` (non-finite entries are ignored). Fitted: the scores' range
 * padded by a tenth of their spread each way, never past 0 or 1 when the scores are inside
 * [0, 1], then widened to nice tick values for about `tickCount` ticks (d3's `nice`). With no
 * score yet, or in `full` mode, [0, 1].
 */
export function scoreDomain(
  scores: readonly number[],
  mode: ScoreAxisMode,
  tickCount: number,
): [number, number] {
  const finite = scores.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const lowest = Math.min(...finite);
  const highest = Math.max(...finite);
  if (mode === 'full') return [fullBottom(lowest), Math.max(1, highest)];
  const padding = Math.max((highest - lowest) * PADDING_SHARE, MIN_PADDING);
  const bottom = lowest >= 0 ? Math.max(0, lowest - padding) : lowest - padding;
  const top = highest <= 1 ? Math.min(1, highest + padding) : highest + padding;
  // 0 and 1 are multiples of every d3 tick step, so `nice` never pushes the ends past them.
  const [niceBottom, niceTop] = scaleLinear().domain([bottom, top]).nice(tickCount).domain();
  return [niceBottom, niceTop];
}

/** Tick labels for a score axis: as many decimals as the tick step needs, no trailing zeros. */
export function scoreTickFormat(domain: readonly [number, number], tickCount: number): (v: number) => string {
  return scaleLinear().domain(domain).tickFormat(tickCount, '~f');
}
