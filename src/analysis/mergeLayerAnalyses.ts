import type { LayerAnalysis, LayerPairRecord, StateRecord } from './analyzeLayers';
import { NOT_FITTED_HERE, type PerTokenNonlinearity, type ReferenceFit } from './perTokenNonlinearity';

/**
 * Joins analyses of disjoint pair sets of the same states (`analyzeLayers` with `pairs`, e.g. one
 * per worker) into the analysis of all of them: pairs and states in order, a state touched by two
 * parts counted once, and each pair's per-token rows taken from the part that scored it. Every
 * pair 0..L-1 must come from exactly one part; throws otherwise (a missing pair would otherwise
 * surface as a silent hole in the charts).
 */
export function mergeLayerAnalyses(parts: readonly LayerAnalysis[], L: number): LayerAnalysis {
  if (parts.length === 0) throw new RangeError('mergeLayerAnalyses: no parts');
  const layers: (LayerPairRecord | undefined)[] = new Array(L);
  const owner = new Int32Array(L).fill(-1);
  parts.forEach((part, p) => {
    for (const record of part.layers) {
      const l = record.pair[0];
      if (!(l >= 0 && l < L)) throw new RangeError(`mergeLayerAnalyses: pair ${l} outside 0..${L - 1}`);
      if (owner[l] !== -1) throw new RangeError(`mergeLayerAnalyses: pair ${l} scored by two parts`);
      owner[l] = p;
      layers[l] = record;
    }
  });
  const missing = [...owner.keys()].filter((l) => owner[l] === -1);
  if (missing.length > 0) throw new RangeError(`mergeLayerAnalyses: pairs ${missing.join(', ')} missing`);

  const states = new Map<number, StateRecord>();
  for (const part of parts) for (const s of part.states) if (!states.has(s.index)) states.set(s.index, s);

  const withPerToken = parts.filter((part) => part.perToken !== null).length;
  if (withPerToken !== 0 && withPerToken !== parts.length)
    throw new RangeError('mergeLayerAnalyses: only some parts have per-token values');
  let perToken: PerTokenNonlinearity | null = null;
  if (withPerToken > 0) {
    const from = (l: number) => parts[owner[l]].perToken as PerTokenNonlinearity;
    perToken = {
      relative: Array.from({ length: L }, (_, l) => from(l).relative[l]),
      raw: Array.from({ length: L }, (_, l) => from(l).raw[l]),
      flash: Array.from({ length: L }, (_, l) => from(l).flash[l]),
    };
  }
  return {
    layers: layers as LayerPairRecord[],
    states: [...states.values()].sort((a, b) => a.index - b.index),
    excludedTokens: parts[0].excludedTokens,
    perToken,
  };
}

/**
 * Joins reference fits of disjoint pair runs (`fitReferenceMaps` with `pairs`) into the fit of all
 * pairs: each pair's map and reason from the part that fitted it. Throws when a pair was fitted by
 * no part or by two, or when the parts disagree on what they were fitted on.
 */
export function mergeReferenceFits(parts: readonly ReferenceFit[]): ReferenceFit {
  if (parts.length === 0) throw new RangeError('mergeReferenceFits: no parts');
  const [first] = parts;
  const L = first.pairs.length;
  for (const part of parts) {
    if (
      part.pairs.length !== L ||
      part.d !== first.d ||
      part.n !== first.n ||
      part.quantile !== first.quantile
    )
      throw new RangeError('mergeReferenceFits: the parts were fitted on different data or settings');
  }
  const pairs: ReferenceFit['pairs'][number][] = [];
  const reasons: (string | null)[] = [];
  for (let l = 0; l < L; l++) {
    const owners = parts.filter((part) => part.reasons[l] !== NOT_FITTED_HERE);
    if (owners.length !== 1)
      throw new RangeError(`mergeReferenceFits: pair ${l} fitted by ${owners.length} parts, not 1`);
    pairs.push(owners[0].pairs[l]);
    reasons.push(owners[0].reasons[l]);
  }
  return { ...first, pairs, reasons };
}

/**
 * Splits pairs 0..L-1 into at most `parts` contiguous runs of near-equal length (longer runs
 * first). Contiguous, because each run pays one extra Gram matrix for its first input state.
 */
export function contiguousPairRuns(L: number, parts: number): number[][] {
  const count = Math.max(1, Math.min(L, Math.floor(parts)));
  const runs: number[][] = [];
  let start = 0;
  for (let p = 0; p < count; p++) {
    const length = Math.floor(L / count) + (p < L % count ? 1 : 0);
    runs.push(Array.from({ length }, (_, i) => start + i));
    start += length;
  }
  return runs.filter((run) => run.length > 0);
}
