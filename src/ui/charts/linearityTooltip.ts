import { formatScore } from './format';
import type { LinearityLayout, PairColumn } from './linearityLayout';

/** What is special about a pair at either end of the model ('' for the pairs between). */
export function pairRole(col: Pick<PairColumn, 'isFirst' | 'isLast'>): string {
  if (col.isFirst && col.isLast) return 'embedding → final norm';
  if (col.isFirst) return 'first: from the embedding output';
  if (col.isLast) return 'last: into the state after the final norm';
  return '';
}

/** The accessible name of a pair's target: its scores in one line, or that it is pending. */
export function describePair(col: Pick<PairColumn, 'label' | 'record'>): string {
  const r = col.record;
  if (!r) return `Pair ${col.label}: pending`;
  return [
    `Pair ${col.label}`,
    `with residual ${formatScore(r.linearity)}`,
    `without residual ${formatScore(r.linearityNoResidual)}`,
    `held-out ${formatScore(r.heldOut?.linearity)}`,
    `chance floor ${formatScore(r.chanceFloor)}`,
  ].join(', ');
}

export type LinearityTooltipPosition =
  | { readonly top: number; readonly left: number }
  | { readonly top: number; readonly right: number };

/**
 * Where a pair's tooltip goes: level with the plot's top, beside the column, on the side with
 * more room (left of a column in the right half, right of one in the left half).
 */
export function linearityTooltipPosition(
  layout: Pick<LinearityLayout, 'width' | 'yTop'>,
  col: Pick<PairColumn, 'x' | 'left' | 'width'>,
): LinearityTooltipPosition {
  return col.x > layout.width / 2
    ? { top: layout.yTop, right: layout.width - col.left }
    : { top: layout.yTop, left: col.left + col.width };
}
