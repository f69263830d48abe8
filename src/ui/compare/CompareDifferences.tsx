import { ChartFrame, type HeadingLevel } from '../charts/ChartFrame';
import { dataValue, formatScore } from '../charts/format';
import { type ChartLine, CompareLineChart } from './CompareLineChart';
import { entryColor } from './compareColors';
import { differencesFromBaseline, matchDescription, SCORE_NAME } from './compareData';
import type { CompareEntry } from './compareEntries';

const signed = (v: number | null) =>
  v === null ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(5)}`;

/**
 * Each result minus the baseline (the first entry), per baseline pair, with and without residual:
 * a chart (▲ above zero: more linear than the baseline) and the same numbers as a table.
 */
export function CompareDifferences(props: { entries: readonly CompareEntry[]; headingLevel?: HeadingLevel }) {
  const { entries } = props;
  const baseline = entries[0];
  const groups = differencesFromBaseline(entries);
  const indexOf = new Map(entries.map((e, i) => [e.key, i]));
  const lines: ChartLine[] = groups.map((g) => {
    const index = indexOf.get(g.entry.key) ?? 0;
    return {
      key: `${g.entry.key}-${g.score}`,
      label: `${g.entry.label} − baseline (${SCORE_NAME[g.score]})`,
      color: entryColor(index),
      dashed: g.score === 'linearityNoResidual',
      points: g.rows.map((r) => ({
        x: r.depth,
        value: r.difference,
        data: { 'data-entry': index, 'data-series': g.score, 'data-layer': r.pair, 'data-depth': r.depth },
      })),
    };
  });
  return (
    <ChartFrame
      testId="compare-differences"
      title="Difference from the baseline"
      subtitle={`B − A per layer pair of the baseline “${baseline.label}” · above 0: B is more linear`}
      headingLevel={props.headingLevel ?? 3}
      rootAttributes={{ 'data-baseline': baseline.label }}
      explainer={
        <>
          <p>
            For each result B and each layer pair of the baseline A (the first result in the list): B’s score
            minus A’s, with and without the residual stream. Positive (▲): B is more linear there; negative
            (▼): less. Where either score is null (too few tokens for an in-sample score) there is no
            difference.
          </p>
          <p>
            Models of the same depth are compared pair by pair. Otherwise B’s score is read at the depth of
            A’s pair (pair l of L sits at (l + 0.5) / L), interpolated linearly between B’s two nearest pairs,
            and taken from B’s first or last pair beyond them. The table says which pairs each number came
            from.
          </p>
        </>
      }
    >
      <CompareLineChart
        lines={lines}
        xDomain={[0, 1]}
        xTicks={[0, 0.25, 0.5, 0.75, 1]}
        xLabel="normalised depth (the baseline's pairs)"
        yLabel="B − A"
        signed
        pointTestId="compare-difference-point"
        ariaLabel={`Differences from the baseline of ${entries.length - 1} results`}
      />
      {entries.slice(1).map((entry) => (
        <p
          key={entry.key}
          className="compare-match"
          data-testid="compare-match"
          data-entry={indexOf.get(entry.key)}
        >
          {entry.label}: {matchDescription(baseline.result, entry.result)}.
        </p>
      ))}
      <div className="compare-table-scroll">
        <table className="compare-table" data-testid="compare-difference-table">
          <caption>Per-layer differences from the baseline “{baseline.label}”</caption>
          <thead>
            <tr>
              <th scope="col">Result B</th>
              <th scope="col">Score</th>
              <th scope="col">Baseline pair</th>
              <th scope="col">Depth</th>
              <th scope="col">A</th>
              <th scope="col">B at that depth</th>
              <th scope="col">B’s pairs</th>
              <th scope="col">B − A</th>
            </tr>
          </thead>
          <tbody>
            {groups.flatMap((g) =>
              g.rows.map((r) => (
                <tr key={`${g.entry.key}-${g.score}-${r.pair}`}>
                  <th scope="row">{g.entry.label}</th>
                  <td>{SCORE_NAME[g.score]}</td>
                  <td>{`${r.pair}→${r.pair + 1}`}</td>
                  <td>{r.depth.toFixed(3)}</td>
                  <td>{formatScore(r.baseline)}</td>
                  <td>{formatScore(r.other)}</td>
                  <td>
                    {r.otherPairs.map((p) => `${p}→${p + 1}`).join(' & ')} ({r.match.replace('-', ' ')})
                  </td>
                  <td
                    data-testid="compare-difference"
                    data-entry={indexOf.get(g.entry.key)}
                    data-series={g.score}
                    data-layer={r.pair}
                    data-value={dataValue(r.difference)}
                  >
                    {signed(r.difference)}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </ChartFrame>
  );
}
