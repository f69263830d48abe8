import { interpolateCividis, quantile, rgb } from 'd3';
import type { ResultPerToken } from '../../job/result';

/**
 * Colour for relative per-token errors (1 = the reference's typical error). Cividis is perceptually
 * uniform and readable with the common colour-vision deficiencies; the values are long-tailed
 * (0.05 to 20+ in one prompt), so position on the ramp follows log(value), and the ends are
 * clamped at quantiles so one extreme token does not wash out the rest.
 */
export interface RelativeColorScale {
  /** Values at the dark and the bright end; anything outside is clamped. */
  readonly domain: readonly [number, number];
  /** Position on the ramp in [0, 1]. */
  readonly t: (value: number) => number;
  /** The exact ramp colour, `rgb(r, g, b)`. */
  readonly color: (value: number) => string;
  /** 256 ramp colours: the canvas draws with these, so it changes fill style at most 256 times. */
  readonly lut: readonly string[];
  /** Index into `lut`. */
  readonly index: (value: number) => number;
  /** Whether black text / marks contrast more than white ones on `lut[i]` (WCAG contrast ratio). */
  readonly lightBackground: readonly boolean[];
  readonly ticks: readonly { readonly value: number; readonly t: number }[];
}

export interface RelativeColorScaleOptions {
  /** Quantile of the positive values at the dark end (default 0.01). */
  readonly low?: number;
  /** Quantile at the bright end (default 0.99); raised to the highest flash threshold. */
  readonly high?: number;
}

export function relativeColorScale(
  values: Iterable<number | null | undefined>,
  thresholds: readonly (number | null | undefined)[] = [],
  options: RelativeColorScaleOptions = {},
): RelativeColorScale {
  const positive: number[] = [];
  for (const v of values) if (typeof v === 'number' && v > 0 && Number.isFinite(v)) positive.push(v);
  positive.sort((a, b) => a - b);
  const maxThreshold = Math.max(0, ...thresholds.map((v) => (typeof v === 'number' && v > 0 ? v : 0)));
  // 1 (typical) always sits inside the domain so the legend can point at it; the flash threshold
  // too, so a flash is always at the bright end.
  let lo = Math.min(1, positive.length ? (quantile(positive, options.low ?? 0.01) ?? 1) : 0.1);
  let hi = Math.max(1, maxThreshold, positive.length ? (quantile(positive, options.high ?? 0.99) ?? 1) : 10);
  if (!(hi > lo)) {
    lo /= 2;
    hi *= 2;
  }
  const logLo = Math.log(lo);
  const span = Math.log(hi) - logLo;
  const t = (value: number) => (value > 0 ? Math.min(1, Math.max(0, (Math.log(value) - logLo) / span)) : 0);
  const color = (value: number) => interpolateCividis(t(value));
  const lut = Array.from({ length: 256 }, (_, i) => interpolateCividis(i / 255));
  const lightBackground = lut.map(blackTextOn);
  const index = (value: number) => Math.round(t(value) * 255);
  const ticks = logTicks(lo, hi).map((value) => ({ value, t: t(value) }));
  return { domain: [lo, hi], t, color, lut, index, lightBackground, ticks };
}

/** Powers of ten inside [lo, hi], with 3× steps added when that gives fewer than three ticks. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 3]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  const powers = ticks.filter((v) => Number.isInteger(Math.log10(v)));
  return powers.length >= 3 ? powers : ticks;
}

/** Whether black text contrasts more than white on `color` (WCAG contrast ratio). */
export function blackTextOn(color: string): boolean {
  const { r, g, b } = rgb(color);
  // Whichever of black and white contrasts more: past the crossover (L ≈ 0.18) both reach 4.58:1.
  const lum = relativeLuminance(r, g, b);
  return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05);
}

/** WCAG relative luminance of an sRGB colour (0-255 channels). */
function relativeLuminance(r: number, g: number, b: number): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const cache = new WeakMap<ResultPerToken, RelativeColorScale>();

/**
 * The one scale for a result's per-token values, shared by the heatmap and the token text view so
 * a colour means the same number in both. Cached per `perToken` object (treat results as
 * immutable: a partial result that grows should arrive as a new object).
 */
export function perTokenColorScale(perToken: ResultPerToken | null | undefined): RelativeColorScale {
  if (!perToken) return relativeColorScale([]);
  let scale = cache.get(perToken);
  if (!scale) {
    scale = relativeColorScale(perToken.nonlinearity.flat(), perToken.flashThreshold);
    cache.set(perToken, scale);
  }
  return scale;
}
