import { type CSSProperties, useMemo } from 'react';
import { perTokenCsv } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { type ChartResult, pairCount, pairLabel } from './chartResult';
import { perTokenColorScale } from './colorScale';
import { csvExport, EXPORT_STEMS } from './exportActions';
import { dataValue, formatRelative } from './format';
import { tokenLabel } from './tokenLabel';
import './TokenTextView.css';

export interface TokenTextViewProps {
  readonly result: ChartResult;
  /** The pair whose values colour the text; null or absent: the first pair with values. */
  readonly focusLayer?: number | null;
  /** When given, a pair picker is shown and reports the choice here. */
  readonly onFocusLayer?: (layer: number) => void;
  readonly focusToken?: number | null;
  /** Click on a token. */
  readonly onFocusToken?: (token: number) => void;
  readonly headingLevel?: HeadingLevel;
}

/** The pair drawn: the focused one if it has values, else the first that does (null: none yet). */
export function textViewLayer(result: ChartResult, focusLayer: number | null | undefined): number | null {
  const rows = result.perToken?.nonlinearity;
  if (!rows) return null;
  if (focusLayer != null && rows[focusLayer]) return focusLayer;
  const first = rows.findIndex((r) => r?.some((v) => v !== null));
  return first >= 0 ? first : null;
}

/**
 * The prompt as text, each token's background coloured by one layer pair's relative error (the
 * heatmap's colour scale), flashes underlined. Token text is rendered as React text only: it is
 * untrusted input and must never become markup.
 */
export function TokenTextView(props: TokenTextViewProps) {
  const { result } = props;
  const pt = result.perToken ?? null;
  const layer = textViewLayer(result, props.focusLayer);
  const scale = perTokenColorScale(pt);
  const row = layer !== null ? pt?.nonlinearity[layer] : undefined;
  const flags = layer !== null ? pt?.flash[layer] : undefined;
  const L = pairCount(result);
  const spans = useMemo(
    () =>
      result.tokens.map((token, t) => {
        const v = row?.[t] ?? null;
        const style: CSSProperties | undefined =
          v === null
            ? undefined
            : {
                background: scale.color(v),
                color: scale.lightBackground[scale.index(v)] ? '#000000' : '#ffffff',
              };
        return { token, t, v, style, flash: flags?.[t] === 1 };
      }),
    [result.tokens, row, flags, scale],
  );
  const modelId = result.model.id;

  return (
    <ChartFrame
      testId="token-text-view"
      title="Your text, coloured by non-linearity"
      subtitle={layer !== null ? `Layer pair ${pairLabel(layer)}` : undefined}
      headingLevel={props.headingLevel}
      exports={[
        csvExport(
          'csv',
          'CSV',
          'Download the per-token values as CSV',
          modelId,
          EXPORT_STEMS.textViewTable,
          () => perTokenCsv(result),
        ),
      ]}
      rootAttributes={{ 'data-layer': layer ?? '' }}
      explainer={
        <>
          <p>
            Each token of your text is shaded by how non-linear one layer pair was on it, in the heatmap’s
            colours: dark is typical or better, bright is many times the reference’s average error.
          </p>
          <p>Underlined tokens are flashes for this pair. Pick another pair to see how the pattern moves.</p>
        </>
      }
    >
      {props.onFocusLayer && L > 0 && (
        <label className="lsc-picker">
          Layer pair{' '}
          <select
            value={layer ?? ''}
            onChange={(e) => props.onFocusLayer?.(Number(e.target.value))}
            data-testid="token-text-layer"
          >
            {Array.from({ length: L }, (_, l) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: one option per layer pair, in order.
              <option key={l} value={l} disabled={!pt?.nonlinearity[l]}>
                {pairLabel(l)}
              </option>
            ))}
          </select>
        </label>
      )}
      {layer === null || !row ? (
        <p className="lsc-empty">
          {pt === null
            ? 'No per-token values: this run had no reference text to fit the maps on.'
            : 'Waiting for per-token values…'}
        </p>
      ) : (
        <p className="lsc-tokentext">
          {spans.map(({ token, t, v, style, flash }) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: a pointer shortcut; the heatmap and flash list reach the same focus by keyboard.
            // biome-ignore lint/a11y/noStaticElementInteractions: see above.
            <span
              key={t}
              className={`lsc-tok${flash ? ' lsc-tok--flash' : ''}${token.text === '' ? ' lsc-tok--empty' : ''}${
                props.focusToken === t ? ' lsc-tok--focus' : ''
              }`}
              style={style}
              title={`#${t} “${tokenLabel(token.text)}”: ${v === null ? 'no value' : `${formatRelative(v)} × reference mean error`}${flash ? ' (flash)' : ''}`}
              data-token={t}
              data-value={dataValue(v)}
              data-flash={flash ? '' : undefined}
              onClick={props.onFocusToken ? () => props.onFocusToken?.(t) : undefined}
            >
              {token.text === '' ? '\u200b' : token.text}
            </span>
          ))}
        </p>
      )}
    </ChartFrame>
  );
}
