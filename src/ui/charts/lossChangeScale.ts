import { interpolateRdBu } from 'd3';
import { blackTextOn } from './colorScale';

/**
 * Colour for per-token loss changes (nats), diverging around 0: red where replacing blocks made
 * the true next token less likely (loss up), blue where more likely, white where unchanged.
 * ColorBrewer's RdBu keeps both ends readable with the common colour-vision deficiencies. The
 * domain is symmetric, ±the largest change, so equal changes either way get equal strength.
 */
export interface LossChangeScale {
  /** [-m, m]: m is the largest absolute change (1 when there is none). */
  readonly domain: readonly [number, number];
  /** Position on the ramp in [0, 1]: 0 = +m (red), 0.5 = no change, 1 = -m (blue). */
  readonly t: (value: number) => number;
  readonly color: (value: number) => string;
  /** Text colour with the better contrast on `color(value)`. */
  readonly textColor: (value: number) => string;
  /** -m, 0 and m, for the legend. */
  readonly ticks: readonly number[];
}

export function lossChangeScale(values: Iterable<number | null | undefined>): LossChangeScale {
  let m = 0;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  if (!(m > 0)) m = 1;
  const t = (value: number) => Math.min(1, Math.max(0, 0.5 - value / (2 * m)));
  const color = (value: number) => interpolateRdBu(t(value));
  return {
    domain: [-m, m],
    t,
    color,
    textColor: (value) => (blackTextOn(color(value)) ? '#000000' : '#ffffff'),
    ticks: [-m, 0, m],
  };
}
