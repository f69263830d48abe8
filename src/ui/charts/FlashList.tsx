import { useMemo } from 'react';
import { textField, valueField } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { type ChartResult, pairLabel } from './chartResult';
import { csvExport, EXPORT_STEMS } from './exportActions';
import { flashCount, rankFlashes } from './flashRanking';
import { dataValue, formatRelative } from './format';
import { tokenLabel, truncateLabel } from './tokenLabel';
import './tooltip.css';
import './FlashList.css';

export interface FlashListProps {
  readonly result: ChartResult;
  /** How many flashes to list (default 20). */
  readonly limit?: number;
  readonly focusLayer?: number | null;
  readonly focusToken?: number | null;
  /** Click on an entry: its layer pair... */
  readonly onFocusLayer?: (layer: number) => void;
  /** ...and its token. */
  readonly onFocusToken?: (token: number) => void;
  readonly headingLevel?: HeadingLevel;
}

/** The strongest flashes, largest first; each entry focuses its layer pair and token. */
export function FlashList(props: FlashListProps) {
  const { result } = props;
  const pt = result.perToken ?? null;
  const limit = props.limit ?? 20;
  const flashes = useMemo(
    () => (pt ? rankFlashes(pt, result.tokens, limit) : []),
    [pt, result.tokens, limit],
  );
  const total = pt ? flashCount(pt) : 0;
  const modelId = result.model.id;
  const csv = () =>
    [
      'rank,layer_from,layer_to,token_index,token_text,value,threshold\r\n',
      ...(pt ? rankFlashes(pt, result.tokens, Number.POSITIVE_INFINITY) : []).map(
        (f, i) =>
          `${[i + 1, f.layer, f.layer + 1, f.token].map(valueField).join(',')},${textField(f.text)},${valueField(f.value)},${valueField(f.threshold)}\r\n`,
      ),
    ].join('');

  return (
    <ChartFrame
      testId="flash-list"
      title="Strongest flashes"
      subtitle={pt ? `${Math.min(limit, total)} of ${total} flagged token × pair cells` : undefined}
      headingLevel={props.headingLevel}
      exports={
        pt
          ? [csvExport('csv', 'CSV', 'Download every flash as CSV', modelId, EXPORT_STEMS.flashesTable, csv)]
          : []
      }
      rootAttributes={{ 'data-count': flashes.length, 'data-total': total }}
      explainer={
        <>
          <p>
            A flash is a token whose error under a layer pair’s linear map lies beyond the reference text’s
            tail (above the pair’s threshold): there, the layer does something a single linear map cannot.
          </p>
          <p>Largest first, in multiples of the reference’s mean error. Pick one to focus its layer pair.</p>
        </>
      }
    >
      {!pt ? (
        <p className="lsc-empty">
          {pt === null
            ? 'No flashes without a reference text for this run.'
            : 'Waiting for per-token values…'}
        </p>
      ) : flashes.length === 0 ? (
        <p className="lsc-empty">No token goes past its pair’s flash threshold.</p>
      ) : (
        <ol className="lsc-flashes">
          {flashes.map((f) => (
            <li key={`${f.layer}:${f.token}`}>
              <button
                type="button"
                className="lsc-flash"
                aria-pressed={props.focusLayer === f.layer && props.focusToken === f.token}
                data-layer={f.layer}
                data-token={f.token}
                data-value={dataValue(f.value)}
                onClick={() => {
                  props.onFocusLayer?.(f.layer);
                  props.onFocusToken?.(f.token);
                }}
              >
                <span className="lsc-token-chip">{truncateLabel(tokenLabel(f.text), 24)}</span>
                <span className="lsc-flash__meta">
                  #{f.token} · pair {pairLabel(f.layer)}
                </span>
                <span className="lsc-flash__value">{formatRelative(f.value)} ×</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </ChartFrame>
  );
}
