/**
 * "Re-run to verify": does a fresh run agree with a result restored from a link? Every number is
 * compared within what the link's storage allows (float32 scores, 8-bit log heatmap cells) plus a
 * run-to-run allowance for another machine or backend (WebGPU's transcendental functions are not
 * correctly rounded; a different thread count reorders sums).
 */

import type { LinScopeResult } from '../job/result';
import type { Quantisation } from './permalinkResult';

/** Scores from another backend or machine: measured differences are below 1e-4 (e2e/engine.spec.ts). */
export const SCORE_RERUN_TOLERANCE = 1e-3;
/** Relative per-token values from another backend or machine. */
export const CELL_RERUN_TOLERANCE = 0.02;

export interface VerifyOutcome {
  agrees: boolean;
  /** One line for people. */
  summary: string;
  /** Largest difference in per-layer and per-state numbers (relative above 1, absolute below). */
  scoreDiff: number;
  /** What storage alone allows for them. */
  scoreQuantisation: number;
  /** Largest relative difference of a heatmap cell; null when the link had no heatmap. */
  cellDiff: number | null;
  cellQuantisation: number | null;
}

const layerNumbers = (r: LinScopeResult): (number | null)[] => [
  ...r.layers.flatMap((l) => [
    l.linearity,
    l.linearityNoResidual,
    l.chanceFloor,
    l.cosine,
    l.updateRatio,
    l.heldOut?.linearity ?? null,
    l.heldOut?.linearityNoResidual ?? null,
  ]),
  ...r.states.flatMap((s) => [s.anisotropy, s.intrinsicDimension]),
];

const fmt = (v: number) => (v === 0 ? '0' : v < 1e-4 ? v.toExponential(1) : v.toPrecision(2));
const pct = (v: number) => `${(v * 100).toFixed(v < 0.01 ? 2 : 1)}%`;

function mismatch(summary: string, q: Quantisation): VerifyOutcome {
  return {
    agrees: false,
    summary,
    scoreDiff: Number.POSITIVE_INFINITY,
    scoreQuantisation: q.scoreRelative,
    cellDiff: null,
    cellQuantisation: q.cellRelative,
  };
}

/** Compare a restored result with a fresh run of the same inputs. */
export function verifyRestored(
  restored: LinScopeResult,
  fresh: LinScopeResult,
  q: Quantisation,
): VerifyOutcome {
  if (
    restored.tokens.length !== fresh.tokens.length ||
    restored.tokens.some((t, i) => t.id !== fresh.tokens[i].id)
  )
    return mismatch(
      `Differs: the text tokenises differently here (${fresh.tokens.length} tokens, the link has ${restored.tokens.length}).`,
      q,
    );
  if (restored.layers.length !== fresh.layers.length || restored.states.length !== fresh.states.length)
    return mismatch(
      `Differs: this model has ${fresh.layers.length} layer pairs, the link ${restored.layers.length}.`,
      q,
    );
  const a = layerNumbers(restored);
  const b = layerNumbers(fresh);
  let scoreDiff = 0;
  let nullMismatch = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      if (x !== y) nullMismatch++;
      continue;
    }
    scoreDiff = Math.max(scoreDiff, Math.abs(x - y) / Math.max(1, Math.abs(y)));
  }
  let cellDiff: number | null = null;
  if (restored.perToken && fresh.perToken) {
    cellDiff = 0;
    restored.perToken.nonlinearity.forEach((row, l) => {
      const other = fresh.perToken?.nonlinearity[l] ?? [];
      row.forEach((x, t) => {
        const y = other[t] ?? null;
        if (x === null || y === null) {
          if (x !== y) nullMismatch++;
          return;
        }
        if (y === 0 || x === 0) {
          if (x !== y) cellDiff = Math.max(cellDiff ?? 0, 1);
          return;
        }
        cellDiff = Math.max(cellDiff ?? 0, Math.abs(x - y) / y);
      });
    });
  }
  const scoreAllowed = q.scoreRelative + SCORE_RERUN_TOLERANCE;
  const cellAllowed = q.cellRelative === null ? null : q.cellRelative + CELL_RERUN_TOLERANCE;
  const agrees =
    nullMismatch === 0 &&
    scoreDiff <= scoreAllowed &&
    (cellDiff === null || cellAllowed === null || cellDiff <= cellAllowed);
  const parts = [
    `layer scores differ by at most ${fmt(scoreDiff)} (float32 storage allows ${fmt(q.scoreRelative)}, another run ${fmt(SCORE_RERUN_TOLERANCE)})`,
  ];
  if (cellDiff !== null && q.cellRelative !== null)
    parts.push(
      `heatmap cells by at most ${pct(cellDiff)} (8-bit quantisation allows ${pct(q.cellRelative)}, another run ${pct(CELL_RERUN_TOLERANCE)})`,
    );
  else if (restored.perToken === null) parts.push('the link had no heatmap to compare');
  if (nullMismatch > 0) parts.push(`${nullMismatch} values are missing on one side only`);
  return {
    agrees,
    summary: `${agrees ? 'Agrees' : 'Differs'}: ${parts.join('; ')}.`,
    scoreDiff,
    scoreQuantisation: q.scoreRelative,
    cellDiff,
    cellQuantisation: q.cellRelative,
  };
}
