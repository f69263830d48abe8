/**
 * Layer pairs of models of different depth, lined up on normalised depth (docs/compare.md).
 *
 * A model with L blocks has L + 1 states (0 = embeddings, L = the output) and L layer pairs; pair l
 * spans states l..l+1, i.e. depths l/L..(l+1)/L, and sits at its centre, (l + 0.5) / L. Two models
 * of the same depth therefore line up pair by pair; a 2-block model's pairs (0.25, 0.75) fall
 * between a 4-block model's (0.125, 0.375, 0.625, 0.875).
 *
 * To compare a value of model B with the baseline A at A's pair l, B's per-pair values are read at
 * A's depth by linear interpolation between B's two nearest pair centres (the nearest end pair
 * beyond B's first or last centre). Where the depths agree this is B's own pair, exactly. A
 * difference is only defined where both values exist: a null on either side gives null.
 */

/** Normalised depth of pair `index` of `pairs`: the centre of its span of states, in (0, 1). */
export function pairDepth(index: number, pairs: number): number {
  return (index + 0.5) / pairs;
}

/** The pair of a `pairs`-pair model nearest to `depth` (its centre closest; ties to the shallower). */
export function nearestPair(depth: number, pairs: number): number {
  return Math.min(pairs - 1, Math.max(0, Math.ceil(depth * pairs - 1)));
}

/** How a value was read at another model's depth. */
export type DepthMatch = 'same-pair' | 'interpolated' | 'nearest-end';

export interface DepthReading {
  readonly value: number | null;
  readonly match: DepthMatch;
  /** The pairs read: one (same pair, end) or two (interpolated between them). */
  readonly pairs: readonly number[];
}

/** Positions closer than this to a pair centre (in pairs) are that pair: float noise, not a between. */
const SAME_PAIR_TOLERANCE = 1e-9;

/** `values` (one per pair) read at normalised `depth`, as described above. */
export function valueAtDepth(values: readonly (number | null)[], depth: number): DepthReading {
  const L = values.length;
  if (L === 0) return { value: null, match: 'nearest-end', pairs: [] };
  const position = depth * L - 0.5;
  const nearest = Math.round(position);
  if (Math.abs(position - nearest) < SAME_PAIR_TOLERANCE && nearest >= 0 && nearest < L)
    return { value: values[nearest] ?? null, match: 'same-pair', pairs: [nearest] };
  if (position <= 0) return { value: values[0] ?? null, match: 'nearest-end', pairs: [0] };
  if (position >= L - 1) return { value: values[L - 1] ?? null, match: 'nearest-end', pairs: [L - 1] };
  const below = Math.floor(position);
  const above = below + 1;
  const a = values[below] ?? null;
  const b = values[above] ?? null;
  const w = position - below;
  const value = a === null || b === null ? null : a + (b - a) * w;
  return { value, match: 'interpolated', pairs: [below, above] };
}

export interface DepthDifference {
  /** The baseline's pair index. */
  readonly pair: number;
  readonly depth: number;
  readonly baseline: number | null;
  /** The other model's value read at the baseline pair's depth. */
  readonly other: number | null;
  /** `other - baseline`; null unless both exist. */
  readonly difference: number | null;
  readonly match: DepthMatch;
  /** The other model's pairs the value came from. */
  readonly otherPairs: readonly number[];
}

/** Per baseline pair: the other model's value at the same depth, minus the baseline's. */
export function depthDifferences(
  baseline: readonly (number | null)[],
  other: readonly (number | null)[],
): DepthDifference[] {
  return baseline.map((base, pair) => {
    const depth = pairDepth(pair, baseline.length);
    const reading =
      other.length === baseline.length
        ? { value: other[pair] ?? null, match: 'same-pair' as const, pairs: [pair] }
        : valueAtDepth(other, depth);
    const difference = base === null || reading.value === null ? null : reading.value - base;
    return {
      pair,
      depth,
      baseline: base,
      other: reading.value,
      difference,
      match: reading.match,
      otherPairs: reading.pairs,
    };
  });
}
