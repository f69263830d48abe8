/**
 * The ranges a result's numbers can take (docs/result-json.md): a file or link whose numbers lie
 * outside them was not written by LinScope as it is, and is refused rather than drawn (a
 * "linearity" of 9.5 stretched the chart's axis around it). Rounding is allowed for by `SLACK`.
 */
import type { LinScopeResult } from '../job/result';

const SLACK = 1e-6;

const within = (v: number | null | undefined, low: number, high: number) =>
  v === null || v === undefined || (v >= low - SLACK && v <= high + SLACK);

/** The first number of `result` out of its range, in words; null where all are within. */
export function resultRangeProblem(result: LinScopeResult): string | null {
  for (const [k, l] of result.layers.entries()) {
    const pair = `layer pair ${k}`;
    // In-sample scores are 1 minus a least-squares residual share: 0 to 1.
    if (!within(l.linearity, 0, 1)) return `${pair}'s linearity ${l.linearity} is not between 0 and 1`;
    if (!within(l.linearityNoResidual, 0, 1))
      return `${pair}'s linearityNoResidual ${l.linearityNoResidual} is not between 0 and 1`;
    // Held-out scores can be negative (a map worse than the mean), never above 1.
    if (l.heldOut && !within(l.heldOut.linearity, Number.NEGATIVE_INFINITY, 1))
      return `${pair}'s held-out linearity ${l.heldOut.linearity} is above 1`;
    if (l.heldOut && !within(l.heldOut.linearityNoResidual, Number.NEGATIVE_INFINITY, 1))
      return `${pair}'s held-out linearityNoResidual ${l.heldOut.linearityNoResidual} is above 1`;
    if (!within(l.chanceFloor, 0, 1)) return `${pair}'s chance floor ${l.chanceFloor} is not between 0 and 1`;
    if (!within(l.cosine, -1, 1)) return `${pair}'s cosine ${l.cosine} is not between -1 and 1`;
    if (!within(l.updateRatio, 0, Number.POSITIVE_INFINITY))
      return `${pair}'s update ratio ${l.updateRatio} is negative`;
  }
  for (const [s, state] of result.states.entries()) {
    if (!within(state.anisotropy, 0, 1))
      return `state ${s}'s anisotropy ${state.anisotropy} is not between 0 and 1`;
    if (!within(state.intrinsicDimension, 0, Number.POSITIVE_INFINITY))
      return `state ${s}'s intrinsic dimension ${state.intrinsicDimension} is negative`;
  }
  return null;
}
