/**
 * The block-replacement experiment as CSV (same conventions as csv.ts): the sweep, one row per
 * block, and the per-token loss changes of each run, one row per token.
 */
import type { ReplacementMetrics, ReplacementSpec, ResultLinearize, ResultToken } from '../job/result';
import { csvText, textField, valueField } from './csv';

const METRICS = ['loss', 'loss_increase', 'top1_changed', 'kl'] as const;

function metricCells(m: ReplacementMetrics | null | undefined): string[] {
  return [m?.loss, m?.lossIncrease, m?.top1Changed, m?.kl].map(valueField);
}

/** A run's column name: `linear_2_3` (blocks 2 and 3 linearized), `skip_1`, or both joined by `_`. */
export function replacementColumn(spec: ReplacementSpec): string {
  const parts = [];
  if (spec.linear.length) parts.push(`linear_${spec.linear.join('_')}`);
  if (spec.skip.length) parts.push(`skip_${spec.skip.join('_')}`);
  return parts.join('_');
}

/**
 * One row per block: its map's linearity (or why it has none), the metrics with the block
 * linearized and with it skipped, and its step on the cumulative curve (blocks linearized most
 * linear first: step k has the first k blocks of the order) with the metrics after that step.
 */
export function sweepCsv(linearize: ResultLinearize): string {
  const sweep = linearize.sweep;
  const header = [
    'block',
    'map_linearity',
    'missing_map_reason',
    ...METRICS.map((m) => `linearized_${m}`),
    ...METRICS.map((m) => `skipped_${m}`),
    'cumulative_step',
    ...METRICS.map((m) => `cumulative_${m}`),
  ];
  const rows = (sweep?.blocks ?? []).map((b) => {
    const step = sweep?.cumulative.order.indexOf(b.block) ?? -1;
    return [
      valueField(b.block),
      valueField(b.linearity),
      valueField(linearize.maps.missing[b.block]),
      ...metricCells(b.linear),
      ...metricCells(b.skip),
      valueField(step >= 0 ? step + 1 : null),
      ...metricCells(step >= 0 ? sweep?.cumulative.steps[step] : null),
    ];
  });
  return csvText(header, rows);
}

/** One row per token: index, id, text, doc, then each run's change of -log p(next token), nats. */
export function lossChangeCsv(tokens: readonly ResultToken[], linearize: ResultLinearize): string {
  const names = linearize.runs.map((run, i) => `run_${i + 1}_${replacementColumn(run)}`);
  const header = ['token_index', 'token_id', 'token_text', 'doc', ...names];
  const rows = tokens.map((token, t) => [
    valueField(t),
    valueField(token.id),
    textField(token.text),
    valueField(token.doc),
    ...linearize.runs.map((run) => valueField(run.lossDelta[t])),
  ]);
  return csvText(header, rows);
}
