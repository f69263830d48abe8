import { useState } from 'react';
import { ChartFrame, type HeadingLevel } from '../charts/ChartFrame';
import { type ChartLine, CompareLineChart } from './CompareLineChart';
import { orderColors } from './compareColors';
import { scoresOf } from './compareData';
import { type CompareEntry, seriesCheck } from './compareEntries';

type SeriesAxis = 'layer' | 'checkpoint';

/**
 * Linearity across a series of results of one architecture (training checkpoints, in list order):
 * one line per checkpoint over the layer pairs, coloured from dark (first) to light (last), or one
 * line per layer pair over the checkpoints. Mixed architectures are refused with the reason.
 */
export function SeriesChart(props: { entries: readonly CompareEntry[]; headingLevel?: HeadingLevel }) {
  const { entries } = props;
  const [axis, setAxis] = useState<SeriesAxis>('layer');
  const [score, setScore] = useState<'linearity' | 'linearityNoResidual'>('linearity');
  const check = seriesCheck(entries);
  const L = entries[0]?.result.model.layers ?? 0;
  let lines: ChartLine[] = [];
  if (check.ok && axis === 'layer') {
    const color = orderColors(entries.length);
    lines = entries.map((entry, index) => ({
      key: String(entry.key),
      label: entry.label,
      color: color(index),
      points: scoresOf(entry.result, score).map((value, pair) => ({
        x: pair,
        value,
        data: { 'data-entry': index, 'data-layer': pair },
      })),
    }));
  } else if (check.ok) {
    const color = orderColors(L);
    lines = Array.from({ length: L }, (_, pair) => ({
      key: String(pair),
      label: `pair ${pair}→${pair + 1}`,
      color: color(pair),
      points: entries.map((entry, index) => ({
        x: index,
        value: scoresOf(entry.result, score)[pair],
        data: { 'data-entry': index, 'data-layer': pair },
      })),
    }));
  }
  return (
    <ChartFrame
      testId="series-chart"
      title="Linearity over a series"
      subtitle="Results of one architecture in list order (e.g. training checkpoints: reorder the list to put them in order)"
      headingLevel={props.headingLevel ?? 3}
      rootAttributes={{ 'data-state': check.ok ? 'ready' : 'refused', 'data-axis': axis }}
      explainer={
        <p>
          The paper’s “linearity over training” figure: pretraining tends to make models less linear,
          fine-tuning more. Put checkpoints in order in the list above; the first is drawn darkest. With x =
          layer pair, each line is one checkpoint; with x = checkpoint, each line is one layer pair.
        </p>
      }
    >
      {check.ok ? (
        <>
          <div className="row compare-series-controls">
            <label>
              x axis{' '}
              <select
                data-testid="series-axis"
                value={axis}
                onChange={(e) => setAxis(e.target.value as SeriesAxis)}
              >
                <option value="layer">layer pair (one line per checkpoint)</option>
                <option value="checkpoint">checkpoint (one line per layer pair)</option>
              </select>
            </label>
            <label>
              score{' '}
              <select
                data-testid="series-score"
                value={score}
                onChange={(e) =>
                  setScore(e.target.value === 'linearity' ? 'linearity' : 'linearityNoResidual')
                }
              >
                <option value="linearity">with residual</option>
                <option value="linearityNoResidual">without residual</option>
              </select>
            </label>
          </div>
          <CompareLineChart
            lines={lines}
            xDomain={axis === 'layer' ? [0, Math.max(1, L - 1)] : [0, Math.max(1, entries.length - 1)]}
            xTicks={axis === 'layer' ? Array.from({ length: L }, (_, i) => i) : entries.map((_, i) => i)}
            xTickFormat={axis === 'layer' ? (v) => `${v}→${v + 1}` : (v) => `#${v + 1}`}
            xLabel={axis === 'layer' ? 'layer pair' : 'checkpoint (list order)'}
            yLabel="linearity"
            pointTestId="series-point"
            ariaLabel={`Linearity of ${entries.length} checkpoints over ${L} layer pairs`}
          />
        </>
      ) : (
        <p className="compare-refusal" role="status" data-testid="series-message">
          {check.message}
        </p>
      )}
    </ChartFrame>
  );
}
