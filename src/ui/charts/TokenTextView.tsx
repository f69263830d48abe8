import { type CSSProperties, Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { perTokenCsv } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { type ChartResult, pairCount, pairLabel } from './chartResult';
import { perTokenColorScale } from './colorScale';
import { csvExport, EXPORT_STEMS } from './exportActions';
import { dataValue, formatRelative } from './format';
import { tokenLabel } from './tokenLabel';
import { pageOfToken, textPage } from './tokenTextPage';
import './TokenTextView.css';

export interface TokenTextViewProps {
  readonly result: ChartResult;
  /** The pair whose values colour the text; null or absent: the first pair with values. */
  readonly focusLayer?: number | null;
  /** When given, a pair picker is shown and reports the choice here. */
  readonly onFocusLayer?: (layer: number) => void;
  readonly focusToken?: number | null;
  /** Bumped each time a token is chosen, even the focused one again: its page and place are shown. */
  readonly focusRequest?: number;
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
 * heatmap's colour scale), flashes underlined, a labelled break where a corpus's next text
 * starts. A long text is rendered 2,000 tokens at a time (the page with the focused token), and a
 * token focused elsewhere is scrolled into view. Token text is rendered as React text only: it is
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
  const total = result.tokens.length;
  const focusToken = props.focusToken ?? null;
  const [pageIndex, setPageIndex] = useState(0);
  const page = textPage(pageIndex, total);
  const focusRequest = props.focusRequest ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: focusRequest is a trigger: the same token chosen again.
  useEffect(() => {
    if (focusToken !== null) setPageIndex(pageOfToken(focusToken));
  }, [focusToken, focusRequest]);
  const spans = useMemo(
    () =>
      result.tokens.slice(page.start, page.end).map((token, i) => {
        const t = page.start + i;
        const v = row?.[t] ?? null;
        const style: CSSProperties | undefined =
          v === null
            ? undefined
            : {
                background: scale.color(v),
                color: scale.lightBackground[scale.index(v)] ? '#000000' : '#ffffff',
              };
        const docStart = t > 0 && token.doc !== result.tokens[t - 1].doc;
        return { token, t, v, style, flash: flags?.[t] === 1, docStart };
      }),
    [result.tokens, row, flags, scale, page.start, page.end],
  );
  // A token focused elsewhere (the heatmap, the flash list, the logit lens) scrolls into the box.
  const textRef = useRef<HTMLParagraphElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rerun when another page or pair is drawn, so the span looked up is the new one.
  useEffect(() => {
    const box = textRef.current;
    if (focusToken === null || !box) return;
    const span = box.querySelector<HTMLElement>(`[data-token="${focusToken}"]`);
    if (!span) return;
    const top = span.offsetTop;
    if (top < box.scrollTop || top + span.offsetHeight > box.scrollTop + box.clientHeight)
      box.scrollTop = top - box.clientHeight / 2;
  }, [focusToken, focusRequest, page.index, layer]);
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
      rootAttributes={{ 'data-layer': layer ?? '', 'data-start': page.start, 'data-end': page.end }}
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
      {page.count > 1 && layer !== null && row && (
        <div className="lsc-textpage">
          <span data-testid="token-text-page">
            Tokens {(page.start + 1).toLocaleString('en')}–{page.end.toLocaleString('en')} of{' '}
            {total.toLocaleString('en')}
          </span>
          <button
            type="button"
            data-testid="token-text-earlier"
            disabled={page.index === 0}
            onClick={() => setPageIndex(page.index - 1)}
          >
            Earlier tokens
          </button>
          <button
            type="button"
            data-testid="token-text-later"
            disabled={page.index === page.count - 1}
            onClick={() => setPageIndex(page.index + 1)}
          >
            Later tokens
          </button>
        </div>
      )}
      {layer === null || !row ? (
        <p className="lsc-empty">
          {pt === null
            ? 'No per-token values: this run had no reference text to fit the maps on.'
            : 'Waiting for per-token values…'}
        </p>
      ) : (
        <p className="lsc-tokentext" ref={textRef}>
          {spans.map(({ token, t, v, style, flash, docStart }) => (
            <Fragment key={t}>
              {docStart && (
                <span className="lsc-docbreak" data-testid="token-text-doc-break" data-doc={token.doc}>
                  text {token.doc}
                </span>
              )}
              {/* biome-ignore lint/a11y/useKeyWithClickEvents: a pointer shortcut; the heatmap and flash list reach the same focus by keyboard. */}
              {/* biome-ignore lint/a11y/noStaticElementInteractions: see above. */}
              <span
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
            </Fragment>
          ))}
        </p>
      )}
    </ChartFrame>
  );
}
