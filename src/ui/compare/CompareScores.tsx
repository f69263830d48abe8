import { ChartFrame, type HeadingLevel } from '../charts/ChartFrame';
import { type ChartLine, CompareLineChart } from './CompareLineChart';
import { entryColor } from './compareColors';
import { depthPoints, SCORE_NAME } from './compareData';
import type { CompareEntry } from './compareEntries';

const depthTicks = [0, 0.25, 0.5, 0.75, 1];

/** Every entry's per-pair linearity (solid: with residual; dashed: without) over normalised depth. */
export function CompareScores(props: { entries: readonly CompareEntry[]; headingLevel?: HeadingLevel }) {
  const lines: ChartLine[] = props.entries.flatMap((entry, index) =>
    (['linearity', 'linearityNoResidual'] as const).map((score) => ({
      key: `${entry.key}-${score}`,
      label: `${entry.label} (${SCORE_NAME[score]})`,
      color: entryColor(index),
      dashed: score === 'linearityNoResidual',
      points: depthPoints(entry.result, score).map((p) => ({
        x: p.depth,
        value: p.value,
        data: { 'data-entry': index, 'data-series': score, 'data-layer': p.pair, 'data-depth': p.depth },
      })),
    })),
  );
  return (
    <ChartFrame
      testId="compare-scores"
      title="Linearity per layer pair, side by side"
      subtitle="x: normalised depth, pair l of L at (l + 0.5) / L · solid: with residual, dashed: without"
      headingLevel={props.headingLevel ?? 3}
      explainer={
        <p>
          Each result’s in-sample linearity score per layer pair, with the residual stream (the paper’s score)
          and without it (the block’s own update). Pairs sit at their normalised depth, so models with
          different numbers of layers line up: the first pair near 0, the last near 1. A missing point is a
          null score (n ≤ d: too few tokens for a meaningful in-sample score).
        </p>
      }
    >
      <CompareLineChart
        lines={lines}
        xDomain={[0, 1]}
        xTicks={depthTicks}
        xLabel="normalised depth"
        yLabel="linearity"
        pointTestId="compare-score-point"
        ariaLabel={`Linearity per layer pair of ${props.entries.length} results over normalised depth`}
      />
    </ChartFrame>
  );
}
