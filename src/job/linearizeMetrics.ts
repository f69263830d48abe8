/**
 * What the replacement experiment adds up (linearize.ts): per variant of the model, its sums over
 * the scored positions; and the runs and sweep of the result from the variants scored so far.
 */
import type { LinearizeJob } from './linearize';
import type { ReplacementMetrics, ResultLinearize } from './result';

/** Sums over the scored positions of one variant. */
export class MetricSums {
  loss = 0;
  top1Changed = 0;
  kl = 0;
  positions = 0;

  metrics(originalLoss: number): ReplacementMetrics {
    const n = Math.max(1, this.positions);
    const loss = this.loss / n;
    return {
      loss,
      perplexity: Math.exp(loss),
      lossIncrease: loss - originalLoss,
      top1Changed: this.top1Changed / n,
      kl: this.kl / n,
    };
  }
}

/**
 * The runs and the sweep from the variants scored so far (all of them at the end): a run or a
 * sweep entry appears once all its variants are done, so a partial result is a prefix of the final one.
 */
export function assemble(
  job: LinearizeJob,
  sums: readonly MetricSums[],
  lossDeltas: readonly (number | null)[][],
  originalLoss: number,
  plan: { sweepStart: number; linearity: readonly (number | null)[]; order: readonly number[]; L: number },
): Pick<ResultLinearize, 'runs' | 'sweep'> {
  const runs: ResultLinearize['runs'] = [];
  for (const [v, spec] of job.runs.entries()) {
    if (v >= sums.length) break;
    runs.push({
      linear: [...spec.linear].sort((a, b) => a - b),
      skip: [...spec.skip].sort((a, b) => a - b),
      ...sums[v].metrics(originalLoss),
      lossDelta: [...lossDeltas[v]],
      continuation: null,
    });
  }
  if (!job.sweep) return { runs, sweep: null };
  let next = plan.sweepStart;
  const blocks: NonNullable<ResultLinearize['sweep']>['blocks'] = [];
  for (let l = 0; l < plan.L; l++) {
    const hasMap = plan.linearity[l] !== null;
    const last = next + (hasMap ? 1 : 0);
    if (last >= sums.length) break;
    const linear = hasMap ? sums[next].metrics(originalLoss) : null;
    blocks.push({ block: l, linearity: plan.linearity[l], linear, skip: sums[last].metrics(originalLoss) });
    next = last + 1;
  }
  const steps: ReplacementMetrics[] = [];
  if (blocks.length === plan.L)
    for (let k = 0; k < plan.order.length && next + k < sums.length; k++)
      steps.push(sums[next + k].metrics(originalLoss));
  return { runs, sweep: { blocks, cumulative: { order: [...plan.order], steps } } };
}
