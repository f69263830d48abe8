import {
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { perTokenCsv } from '../../share/csv';
import { ChartFrame, type HeadingLevel } from './ChartFrame';
import { themeColors } from './chartExport';
import { type ChartResult, pairLabel } from './chartResult';
import { drawHeatmap, type HeatmapPalette } from './drawHeatmap';
import { csvExport, imageExports } from './exportActions';
import { dataValue, formatRelative } from './format';
import { HeatmapLegend, LEGEND_HEIGHT } from './HeatmapLegend';
import {
  canvasPixelRatio,
  heatmapCellAt,
  heatmapLayout,
  heatmapValue,
  moveHeatmapCursor,
} from './heatmapLayout';
import { tokenLabel } from './tokenLabel';
import { useElementWidth } from './useElementWidth';

/** A cell of the heatmap: layer pair (row) and token (column). */
export interface HeatmapCell {
  readonly layer: number;
  readonly token: number;
}

export interface NonlinearityHeatmapProps {
  /** A full or partial result; rows not yet computed are drawn as pending. */
  readonly result: ChartResult;
  /** Row highlighted as the app's focus (null: none). */
  readonly focusLayer?: number | null;
  /** Click on a row (or Enter / Space on the keyboard cursor). */
  readonly onFocusLayer?: (layer: number) => void;
  /** Column highlighted (e.g. a token picked in the flash list). */
  readonly focusToken?: number | null;
  /** Reported with `onFocusLayer` when a cell is clicked. */
  readonly onFocusToken?: (token: number) => void;
  /** Extra tooltip content for a cell: the slot for the logit lens's top token. */
  readonly renderTooltipExtra?: (cell: HeatmapCell) => ReactNode;
  readonly headingLevel?: HeadingLevel;
}

const EMPTY_TEXT: Record<'pending' | 'no-reference' | 'no-tokens', string> = {
  pending: 'Per-token values arrive once every layer pair has been scored against the reference…',
  'no-reference':
    'No per-token view for this run. Each token’s error needs maps fitted on a separate reference text with many more tokens than the model has dimensions, and this run had none. Run it with a reference text (the bundled one, or your own) to see which tokens are non-linear.',
  'no-tokens': 'The input has no tokens.',
};

function usePalette(ref: RefObject<HTMLElement | null>): HeatmapPalette {
  const [palette, setPalette] = useState<HeatmapPalette>({ pending: '#e9ecef', missing: '#adb5bd' });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Canvas cannot read CSS variables: resolve them now and again when the colour scheme flips.
    const read = () => {
      const style = getComputedStyle(el);
      setPalette({
        pending: style.getPropertyValue('--panel').trim() || '#e9ecef',
        missing: style.getPropertyValue('--muted').trim() || '#adb5bd',
      });
    };
    read();
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', read);
    return () => media?.removeEventListener('change', read);
  }, [ref]);
  return palette;
}

/**
 * Per-token non-linearity: one row per layer pair, one column per token, each cell the token's
 * error under the pair's reference map relative to the reference's mean error. Cells are painted
 * on a canvas once per data or size change; the hover / keyboard cursor is a box moved over it.
 */
export function NonlinearityHeatmap(props: NonlinearityHeatmapProps) {
  const { result } = props;
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const layout = useMemo(() => heatmapLayout(result, { width }), [result, width]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<SVGSVGElement>(null);
  const tokensRef = useRef<SVGSVGElement>(null);
  const legendRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<HeatmapCell | null>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [dpr, setDpr] = useState(1);
  const palette = usePalette(wrapRef);
  const pt = result.perToken ?? null;
  const ready = layout.status === 'ready' && pt !== null;
  const pixelRatio = canvasPixelRatio(layout.gridWidth, layout.gridHeight, dpr);
  const focus = props.focusLayer ?? null;
  const modelId = result.model.id;

  // The ratio changes with browser zoom or a move to another screen; the query matches only the
  // current ratio, so it is renewed after each change.
  useEffect(() => {
    const current = window.devicePixelRatio || 1;
    if (current !== dpr) setDpr(current);
    const media = window.matchMedia?.(`(resolution: ${current}dppx)`);
    const update = () => setDpr(window.devicePixelRatio || 1);
    media?.addEventListener('change', update);
    return () => media?.removeEventListener('change', update);
  }, [dpr]);

  // Paint once per data / size / theme change, never on hover.
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !ready) return;
    drawHeatmap(ctx, layout, pt, palette, pixelRatio);
  }, [layout, pt, palette, pixelRatio, ready]);

  // Up to ~600 labels: built once per layout so that a hover re-render leaves them alone.
  const tokenLabelNodes = useMemo(
    () =>
      layout.tokenLabels.map((t) => (
        <text
          key={t.token}
          transform={`translate(${t.x},4) rotate(-90)`}
          dy="0.32em"
          textAnchor="end"
          data-token={t.token}
        >
          {t.label}
        </text>
      )),
    [layout],
  );

  const cellValue = (c: HeatmapCell) => (pt ? heatmapValue(pt, c.layer, c.token) : undefined);

  const onMouse = (e: MouseEvent<HTMLDivElement>, click: boolean) => {
    const grid = e.currentTarget.firstElementChild;
    if (!grid) return;
    const r = grid.getBoundingClientRect();
    const cell = heatmapCellAt(layout, e.clientX - r.left, e.clientY - r.top);
    // Moving within a cell keeps the same state object: no re-render per pixel.
    setActive((a) => (a && cell && a.layer === cell.layer && a.token === cell.token ? a : cell));
    if (click && cell) {
      props.onFocusLayer?.(cell.layer);
      props.onFocusToken?.(cell.token);
    }
  };

  const scrollIntoView = (token: number) => {
    const el = scrollRef.current;
    if (!el) return;
    const x0 = token * layout.cellWidth;
    const x1 = x0 + layout.cellWidth;
    if (x0 < el.scrollLeft) el.scrollLeft = x0 - 24;
    else if (x1 > el.scrollLeft + el.clientWidth) el.scrollLeft = x1 - el.clientWidth + 24;
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const cur = active ?? { layer: focus ?? 0, token: 0 };
    const page = Math.max(1, Math.floor((scrollRef.current?.clientWidth ?? 200) / layout.cellWidth));
    const cell = moveHeatmapCursor(cur, e.key, layout, page);
    if (cell) {
      e.preventDefault();
      setActive(cell);
      scrollIntoView(cell.token);
    } else if ((e.key === 'Enter' || e.key === ' ') && active) {
      e.preventDefault();
      props.onFocusLayer?.(active.layer);
      props.onFocusToken?.(active.token);
    } else if (e.key === 'Escape') setActive(null);
  };

  const exports = [
    ...imageExports('the per-token heatmap', modelId, 'heatmap', () => {
      const canvas = canvasRef.current;
      const rows = rowsRef.current;
      const tokens = tokensRef.current;
      const legend = legendRef.current?.querySelector('svg');
      if (!ready || !canvas || !rows || !tokens || !wrapRef.current) return null;
      // Placed from the layout, not the screen: the exported grid is whole, however it is scrolled.
      const x = layout.rowLabelWidth;
      const gridBottom = layout.gridHeight + layout.tokenLabelHeight;
      const pieces = [
        { element: rows, x: 0, y: 0, width: layout.rowLabelWidth, height: layout.gridHeight },
        { element: canvas, x, y: 0, width: layout.gridWidth, height: layout.gridHeight },
        {
          element: tokens,
          x,
          y: layout.gridHeight,
          width: layout.gridWidth,
          height: layout.tokenLabelHeight,
        },
      ];
      if (legend)
        pieces.push({
          element: legend,
          x,
          y: gridBottom + 8,
          width: legend.width.baseVal.value,
          height: legend.height.baseVal.value,
        });
      return {
        title: `Per-token non-linearity · ${modelId}`,
        pieces,
        width: x + Math.max(layout.gridWidth, legend?.width.baseVal.value ?? 0) + 8,
        height: gridBottom + 8 + LEGEND_HEIGHT,
        ...themeColors(wrapRef.current),
      };
    }),
    csvExport('csv', 'CSV', 'Download the per-token values as CSV', modelId, 'per-token', () =>
      perTokenCsv(result),
    ),
  ];

  const activeValue = active ? cellValue(active) : undefined;
  const activeFlash = active && pt ? pt.flash[active.layer]?.[active.token] === 1 : false;
  const activeToken = active ? result.tokens[active.token] : undefined;
  const activeText =
    active && activeToken
      ? `Token ${active.token} “${tokenLabel(activeToken.text)}”, pair ${pairLabel(active.layer)}: ${
          activeValue === undefined ? 'pending' : `${formatRelative(activeValue)} × reference mean error`
        }${activeFlash ? ', flash' : ''}`
      : '';
  const thresholds = pt
    ? (focus !== null ? [pt.flashThreshold[focus]] : pt.flashThreshold).filter(
        (v): v is number => typeof v === 'number',
      )
    : [];
  const tooltipX = active ? layout.rowLabelWidth + (active.token + 0.5) * layout.cellWidth - scrollLeft : 0;
  const visibleWidth = scrollRef.current?.clientWidth ?? width - layout.rowLabelWidth;

  return (
    <ChartFrame
      testId="nonlinearity-heatmap"
      title="Per-token non-linearity"
      subtitle={
        pt
          ? `${layout.rows} layer pairs × ${layout.cols} tokens · maps fitted on ${pt.reference.tokens} tokens of “${pt.reference.name}”`
          : `${layout.rows} layer pairs × ${layout.cols} tokens`
      }
      headingLevel={props.headingLevel}
      exports={ready ? exports : exports.slice(2)}
      rootAttributes={{
        'data-rows': layout.rows,
        'data-cols': layout.cols,
        'data-max-value': dataValue(layout.maxValue),
        'data-state': layout.status,
      }}
      explainer={
        <>
          <p>
            Rows are layer pairs, columns are your tokens. Each cell says how badly the best linear map of
            that layer pair, fitted on a separate reference text, predicts the token’s next hidden state.
          </p>
          <p>
            The unit is the reference’s own average error: 1 is typical, 10 is ten times worse. Bright cells
            with a dot are “flashes”, tokens beyond the reference’s tail, where the layer does something
            distinctly non-linear. Click a row to focus that layer pair; the arrow keys move a cursor.
          </p>
        </>
      }
    >
      <div ref={wrapRef} className="lsc-measure lsc-heatmap">
        {!ready ? (
          <p className="lsc-empty" data-testid="heatmap-empty">
            {EMPTY_TEXT[layout.status === 'ready' ? 'pending' : layout.status]}
          </p>
        ) : (
          <>
            <div className="lsc-heatmap__body">
              <svg
                ref={rowsRef}
                className="lsc-heatmap__rows"
                width={layout.rowLabelWidth}
                height={layout.gridHeight}
                aria-hidden="true"
              >
                {layout.rowLabels.map((r) => (
                  // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; the keyboard reaches rows through the grid cursor (Enter).
                  <g
                    key={r.layer}
                    className={`lsc-rowlabel lsc-rowlabel--${r.state}${focus === r.layer ? ' lsc-rowlabel--focus' : ''}`}
                    data-layer={r.layer}
                    onClick={() => props.onFocusLayer?.(r.layer)}
                  >
                    <rect x={0} y={r.y} width={layout.rowLabelWidth} height={layout.cellHeight} />
                    <text
                      x={layout.rowLabelWidth - 6}
                      y={r.y + layout.cellHeight / 2}
                      dy="0.32em"
                      textAnchor="end"
                    >
                      {r.state === 'pending' ? `${r.label} …` : r.label}
                    </text>
                  </g>
                ))}
              </svg>
              {/* biome-ignore lint/a11y/useSemanticElements: a canvas grid with a keyboard cursor is no form fieldset. */}
              <div
                ref={scrollRef}
                className="lsc-heatmap__scroll"
                // biome-ignore lint/a11y/noNoninteractiveTabindex: the grid must take focus for the arrow-key cursor.
                tabIndex={0}
                role="group"
                aria-label={`Heatmap, ${layout.rows} layer pairs by ${layout.cols} tokens. Arrow keys move a cursor, Enter focuses its layer pair.`}
                data-testid="heatmap-grid"
                onKeyDown={onKey}
                onMouseMove={(e) => onMouse(e, false)}
                onClick={(e) => onMouse(e, true)}
                onMouseLeave={() => setActive(null)}
                onFocus={(e) => {
                  // A keyboard user arriving gets a cursor at once; a click places its own.
                  if (e.target === e.currentTarget && e.currentTarget.matches(':focus-visible'))
                    setActive((a) => a ?? { layer: focus ?? 0, token: 0 });
                }}
                onBlur={() => setActive(null)}
                onScroll={(e) => setScrollLeft(e.currentTarget.scrollLeft)}
              >
                <div
                  className="lsc-heatmap__grid"
                  style={{ width: layout.gridWidth, height: layout.gridHeight + layout.tokenLabelHeight }}
                >
                  <canvas
                    ref={canvasRef}
                    data-testid="heatmap-canvas"
                    width={Math.round(layout.gridWidth * pixelRatio)}
                    height={Math.round(layout.gridHeight * pixelRatio)}
                    style={{ width: layout.gridWidth, height: layout.gridHeight }}
                  />
                  <svg
                    className="lsc-heatmap__overlay"
                    width={layout.gridWidth}
                    height={layout.gridHeight}
                    aria-hidden="true"
                  >
                    {focus !== null && focus < layout.rows && (
                      <rect
                        className="lsc-focus-row"
                        data-testid="heatmap-focus-row"
                        data-layer={focus}
                        x={0.5}
                        y={focus * layout.cellHeight + 0.5}
                        width={layout.gridWidth - 1}
                        height={layout.cellHeight - 1}
                      />
                    )}
                    {props.focusToken != null && props.focusToken < layout.cols && (
                      <rect
                        className="lsc-focus-col"
                        data-token={props.focusToken}
                        x={props.focusToken * layout.cellWidth}
                        y={0}
                        width={layout.cellWidth}
                        height={layout.gridHeight}
                      />
                    )}
                  </svg>
                  {active && (
                    // A moved box on its own compositor layer: hovering never repaints the big canvas.
                    <div
                      className="lsc-cursor"
                      aria-hidden="true"
                      style={{
                        // At least 8 px wide, centred, so the cursor stays visible on 4 px columns.
                        width: Math.max(8, layout.cellWidth),
                        height: layout.cellHeight,
                        transform: `translate(${(active.token + 0.5) * layout.cellWidth - Math.max(8, layout.cellWidth) / 2}px, ${active.layer * layout.cellHeight}px)`,
                      }}
                    />
                  )}
                  <svg
                    ref={tokensRef}
                    className="lsc-heatmap__tokens"
                    width={layout.gridWidth}
                    height={layout.tokenLabelHeight}
                    style={{ top: layout.gridHeight }}
                    aria-hidden="true"
                  >
                    {tokenLabelNodes}
                  </svg>
                </div>
              </div>
            </div>
            {active && activeToken && (
              <div
                className="lsc-tooltip"
                data-testid="heatmap-tooltip"
                data-layer={active.layer}
                data-token={active.token}
                data-value={dataValue(activeValue)}
                style={{
                  top: (active.layer + 1) * layout.cellHeight + 6,
                  ...(tooltipX - layout.rowLabelWidth > visibleWidth / 2
                    ? { right: Math.max(0, width - tooltipX + 8) }
                    : { left: tooltipX + 8 }),
                }}
              >
                <strong className="lsc-token-chip">{tokenLabel(activeToken.text)}</strong>
                <table>
                  <tbody>
                    <tr>
                      <th scope="row">token</th>
                      <td>
                        #{active.token}
                        {activeToken.doc > 0 ? ` (text ${activeToken.doc})` : ''}
                      </td>
                    </tr>
                    <tr>
                      <th scope="row">layer pair</th>
                      <td>{pairLabel(active.layer)}</td>
                    </tr>
                    <tr>
                      <th scope="row">value</th>
                      <td>
                        {activeValue === undefined ? 'pending' : `${formatRelative(activeValue)} ×`}
                        {activeValue === null ? ' (no map)' : ''}
                      </td>
                    </tr>
                    {result.excludedTokens?.includes(active.token) && (
                      <tr>
                        <th scope="row">in-sample fits</th>
                        <td>left out</td>
                      </tr>
                    )}
                    <tr>
                      <th scope="row">flash</th>
                      <td>
                        {activeFlash ? 'yes' : 'no'}
                        {typeof pt?.flashThreshold[active.layer] === 'number'
                          ? ` (≥ ${formatRelative(pt.flashThreshold[active.layer])})`
                          : ''}
                      </td>
                    </tr>
                  </tbody>
                </table>
                {props.renderTooltipExtra?.(active)}
              </div>
            )}
            <p className="lsc-sr-only" aria-live="polite">
              {activeText}
            </p>
            <div ref={legendRef} className="lsc-heatmap__legend">
              <HeatmapLegend
                scale={layout.scale}
                thresholds={thresholds}
                width={Math.min(width - layout.rowLabelWidth, 420)}
                quantile={pt.reference.quantile}
                showMissing={layout.rowLabels.some((r) => r.state === 'no-map')}
              />
            </div>
          </>
        )}
      </div>
    </ChartFrame>
  );
}
