import { useState } from 'react';
import { ChartFrame, type HeadingLevel } from '../charts/ChartFrame';
import { CompareHeatmap } from './CompareHeatmap';
import { type CompareEntry, textAgreement } from './compareEntries';
import type { SyncedHover } from './heatmapSync';

/**
 * The results' per-token heatmaps side by side, with one cursor: hovering a cell in one shows the
 * same normalised depth and token position in the others. Where texts or tokenizers differ, the
 * view says that positions are not the same tokens; a result without per-token values says why.
 */
export function CompareHeatmaps(props: { entries: readonly CompareEntry[]; headingLevel?: HeadingLevel }) {
  const { entries } = props;
  const [hover, setHover] = useState<SyncedHover | null>(null);
  const baseline = entries[0];
  const source = entries.find((e) => e.key === hover?.entryKey) ?? baseline;
  return (
    <ChartFrame
      testId="compare-heatmaps"
      title="Per-token non-linearity, synchronised"
      subtitle="Hover a cell: the same token position at the same normalised depth lights up in every heatmap"
      headingLevel={props.headingLevel ?? 3}
      explainer={
        <p>
          Each result’s heatmap (rows: layer pairs, columns: tokens; colour: the token’s error under the
          pair’s reference map, relative to the reference’s typical error, on each result’s own scale). The
          cursor in the other heatmaps sits on the pair nearest in normalised depth and on the same token
          position: the same token when the texts and tokenizers agree, only the same position otherwise.
        </p>
      }
    >
      <ul className="compare-sync-notes">
        {entries.slice(1).map((entry) => {
          const agreement = textAgreement(baseline.result, entry.result);
          return (
            <li key={entry.key} data-testid="compare-sync-note" data-kind={agreement.kind}>
              <strong>{entry.label}</strong>:{' '}
              {agreement.kind === 'same-tokens'
                ? 'the same tokens as the baseline: hovering matches token for token.'
                : agreement.reason}
            </li>
          );
        })}
      </ul>
      <div className="compare-heatmaps">
        {entries.map((entry, index) =>
          entry.perTokenAbsent ? (
            <p
              key={entry.key}
              className="compare-heatmap-absent"
              data-testid="compare-heatmap-absent"
              data-entry={index}
            >
              <strong>{entry.label}</strong>: no heatmap. {entry.perTokenAbsent}
            </p>
          ) : (
            <CompareHeatmap
              key={entry.key}
              entry={entry}
              index={index}
              agreement={
                entry.key === source.key
                  ? { kind: 'same-tokens' }
                  : textAgreement(source.result, entry.result)
              }
              hover={hover}
              onHover={setHover}
            />
          ),
        )}
      </div>
    </ChartFrame>
  );
}
