import type { ReplacementMetrics, ResultLinearize } from '../job/result';
import { runLabel } from './charts/runLabel';

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

const COLUMNS: { key: keyof ReplacementMetrics; label: string; format: (v: number) => string }[] = [
  { key: 'loss', label: 'Loss (nats)', format: fixed(4) },
  { key: 'perplexity', label: 'Perplexity', format: fixed(2) },
  { key: 'lossIncrease', label: 'Loss increase', format: signed },
  { key: 'top1Changed', label: 'Top-1 changed', format: percent },
  { key: 'kl', label: 'Mean KL (nats)', format: fixed(4) },
];

/** Where the maps come from, with the in-sample caveat spelled out. */
export function mapsText(maps: ResultLinearize['maps']): string {
  return maps.inSample
    ? `this text itself (${maps.tokens} tokens, in sample: the maps have seen the tokens they are scored on, so their losses are optimistic)`
    : `${maps.name} (${maps.tokens} tokens, out of sample for this text)`;
}

/**
 * The original model and each run side by side: loss, perplexity, loss increase, share of
 * positions whose most likely next token changed, and mean KL from the original. Every cell
 * carries its exact number in `data-value`.
 */
export function ExperimentRunsTable({ linearize }: { linearize: ResultLinearize }) {
  const { maps, original } = linearize;
  return (
    <table className="layer-table experiment-table" data-testid="linearize-runs">
      <caption>
        Next-token predictions on {linearize.positions} positions of your text; maps fitted on{' '}
        {mapsText(maps)}.
      </caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Maps</th>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr data-run="original">
          <th scope="row">Original</th>
          <td>—</td>
          <td data-metric="loss" data-value={original.loss}>
            {fixed(4)(original.loss)}
          </td>
          <td data-metric="perplexity" data-value={original.perplexity}>
            {fixed(2)(original.perplexity)}
          </td>
          <td>—</td>
          <td>—</td>
          <td>—</td>
        </tr>
        {linearize.runs.map((run, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: runs are listed in the order they were run.
          <tr key={i} data-run={i}>
            <th scope="row">{runLabel(run)}</th>
            <td
              className="experiment-table__maps"
              data-in-sample={run.linear.length > 0 ? String(maps.inSample) : undefined}
            >
              {run.linear.length === 0
                ? 'none (skipped only)'
                : maps.inSample
                  ? 'this text (in sample)'
                  : maps.name}
            </td>
            {COLUMNS.map((c) => (
              <td key={c.key} data-metric={c.key} data-value={run[c.key]}>
                {c.format(run[c.key])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
