import { type CSSProperties, useMemo } from 'react';
import type { ResultLinearize, ResultToken } from '../../job/result';
import { lossChangeCsv } from '../../share/linearizeCsv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { csvExport, EXPORT_STEMS } from './exportActions';
import { dataValue } from './format';
import { type LossChangeScale, lossChangeScale } from './lossChangeScale';
import { runLabel } from './runLabel';
import { tokenLabel } from './tokenLabel';
import './TokenTextView.css';
import './LossChangeRows.css';

export interface LossChangeRowsProps {
  readonly tokens: readonly ResultToken[];
  readonly linearize: ResultLinearize;
  readonly modelId: string;
  readonly headingLevel?: HeadingLevel;
}

const nats = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const LEGEND_WIDTH = 240;
const LEGEND_STEPS = 48;

/** The scale as a bar from −m (blue) through 0 (white) to +m (red), in SVG so that it exports. */
function LossChangeLegend({ scale }: { scale: LossChangeScale }) {
  const [lo, hi] = scale.domain;
  const x = (v: number) => 10 + ((v - lo) / (hi - lo)) * LEGEND_WIDTH;
  const step = LEGEND_WIDTH / LEGEND_STEPS;
  return (
    <svg
      data-export
      data-testid="linearize-loss-legend"
      data-domain={`${lo},${hi}`}
      className="lsc-svg lsc-legend-svg"
      width={LEGEND_WIDTH + 20}
      height={44}
      role="img"
      aria-label={`Colour scale: blue where the loss fell (down to ${nats(lo)} nats), white unchanged, red where it rose (up to ${nats(hi)} nats)`}
    >
      {Array.from({ length: LEGEND_STEPS }, (_, i) => {
        const v = lo + ((i + 0.5) / LEGEND_STEPS) * (hi - lo);
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed number of ramp steps, in order.
        return <rect key={i} x={10 + i * step} y={4} width={step + 0.5} height={12} fill={scale.color(v)} />;
      })}
      <g className="lsc-tick">
        {scale.ticks.map((v) => (
          <g key={v}>
            <line x1={x(v)} x2={x(v)} y1={16} y2={20} />
            <text x={x(v)} y={31} textAnchor="middle">
              {v === 0 ? '0' : nats(v)}
            </text>
          </g>
        ))}
      </g>
      <text x={10 + LEGEND_WIDTH / 2} y={42} textAnchor="middle" className="lsc-legend-title">
        change of −log p(next token), nats
      </text>
    </svg>
  );
}

/**
 * Each run's per-token loss change as a row of the text: a token is red where replacing blocks made
 * its true next token less likely, blue where more likely. One scale for every row, so colours
 * compare across runs. Token text is rendered as React text only (untrusted input).
 */
export function LossChangeRows({ tokens, linearize, modelId, headingLevel }: LossChangeRowsProps) {
  const scale = useMemo(() => lossChangeScale(linearize.runs.flatMap((r) => r.lossDelta)), [linearize.runs]);
  return (
    <ChartFrame
      testId="linearize-loss-change"
      title="Where the loss changed, token by token"
      subtitle={`${linearize.runs.length} run${linearize.runs.length === 1 ? '' : 's'} · one colour scale for all`}
      headingLevel={headingLevel}
      rootAttributes={{ 'data-runs': linearize.runs.length }}
      exports={[
        csvExport(
          'csv',
          'CSV',
          'Download the per-token loss changes as CSV',
          modelId,
          EXPORT_STEMS.lossChangeTable,
          () => lossChangeCsv(tokens, linearize),
        ),
      ]}
      explainer={
        <p>
          Each row is your text once more, one run per row. A token is shaded by how much less (red) or more
          (blue) likely the changed model made the token that really comes next, against the original model:
          the change of −log p in nats. The last token of each window has no next token to score and stays
          blank.
        </p>
      }
    >
      <LossChangeLegend scale={scale} />
      {linearize.runs.map((run, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: runs are listed in the order they were run.
          key={i}
          className="loss-row"
          data-testid="linearize-loss-row"
          data-run={i}
        >
          <p className="loss-row__label">
            {runLabel(run)} <span className="muted">(mean {nats(run.lossIncrease)} nats)</span>
          </p>
          <p className="lsc-tokentext loss-row__text">
            {tokens.map((token, t) => {
              const v = run.lossDelta[t] ?? null;
              const style: CSSProperties | undefined =
                v === null ? undefined : { background: scale.color(v), color: scale.textColor(v) };
              return (
                <span
                  // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positions in the text.
                  key={t}
                  className={`lsc-tok${token.text === '' ? ' lsc-tok--empty' : ''}`}
                  style={style}
                  title={`#${t} “${tokenLabel(token.text)}”: ${v === null ? 'no next token in its window' : `${nats(v)} nats`}`}
                  data-token={t}
                  data-value={dataValue(v)}
                >
                  {token.text === '' ? '\u200b' : token.text}
                </span>
              );
            })}
          </p>
        </div>
      ))}
    </ChartFrame>
  );
}
