/**
 * What the compare charts draw, from the entries: each result's per-pair scores on normalised
 * depth, and each result's difference from the baseline at the baseline's pairs
 * (`analysis/depthAlignment.ts` says how depths are matched). Pure.
 */
import { type DepthDifference, depthDifferences, pairDepth } from '../../analysis/depthAlignment';
import type { LinScopeResult } from '../../job/result';
import type { CompareEntry } from './compareEntries';

/** The two scores compared: with the residual stream (the paper's) and without it (the block's update). */
export const COMPARED_SCORES = ['linearity', 'linearityNoResidual'] as const;
export type ComparedScore = (typeof COMPARED_SCORES)[number];

export const SCORE_NAME: Record<ComparedScore, string> = {
  linearity: 'with residual',
  linearityNoResidual: 'without residual',
};

/** A result's per-pair values of `score` (null where the score is null). */
export function scoresOf(result: LinScopeResult, score: ComparedScore): (number | null)[] {
  return Array.from({ length: result.model.layers }, (_, l) => result.layers[l]?.[score] ?? null);
}

export interface DepthPoint {
  readonly pair: number;
  readonly depth: number;
  readonly value: number | null;
}

/** A result's scores at its pairs' normalised depths. */
export function depthPoints(result: LinScopeResult, score: ComparedScore): DepthPoint[] {
  const values = scoresOf(result, score);
  return values.map((value, pair) => ({ pair, depth: pairDepth(pair, values.length), value }));
}

export interface EntryDifferences {
  readonly entry: CompareEntry;
  readonly score: ComparedScore;
  readonly rows: readonly DepthDifference[];
}

/** Each non-baseline entry minus the baseline, per baseline pair, for both scores. */
export function differencesFromBaseline(entries: readonly CompareEntry[]): EntryDifferences[] {
  if (entries.length < 2) return [];
  const baseline = entries[0].result;
  return entries.slice(1).flatMap((entry) =>
    COMPARED_SCORES.map((score) => ({
      entry,
      score,
      rows: depthDifferences(scoresOf(baseline, score), scoresOf(entry.result, score)),
    })),
  );
}

/** How an entry's pairs were matched to the baseline's, in words. */
export function matchDescription(baseline: LinScopeResult, other: LinScopeResult): string {
  const a = baseline.model.layers;
  const b = other.model.layers;
  if (a === b) return `same depth (${a} layer pairs): pair by pair`;
  return `${b} vs the baseline's ${a} layer pairs: its scores are read at the baseline pairs' depths, interpolated between its two nearest pairs (its end pair beyond them)`;
}
