import { type KeyboardEvent, type MouseEvent, useEffect, useRef } from 'react';
import { perTokenColorScale } from '../charts/colorScale';
import { dataValue, formatRelative } from '../charts/format';
import { tokenLabel } from '../charts/tokenLabel';
import { useDevicePixelRatio } from '../charts/useDevicePixelRatio';
import { useElementWidth } from '../charts/useElementWidth';
import type { CompareEntry, TextAgreement } from './compareEntries';
import { highlightedCell, type SyncedHover, syncedHover } from './heatmapSync';

export interface CompareHeatmapProps {
  readonly entry: CompareEntry;
  readonly index: number;
  /** How this entry's tokens match those of the heatmap being hovered (or the baseline's). */
  readonly agreement: TextAgreement;
  readonly hover: SyncedHover | null;
  readonly onHover: (hover: SyncedHover | null) => void;
}

const CELL_HEIGHT = 16;

/**
 * One result's per-token heatmap in the compare view, on a canvas painted once per data and size,
 * with the synchronised cursor (the cell hovered here or its match from another heatmap) on top.
 */
export function CompareHeatmap({ entry, index, agreement, hover, onHover }: CompareHeatmapProps) {
  const { result } = entry;
  const pt = result.perToken;
  const L = result.model.layers;
  const T = result.tokens.length;
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const cellWidth = Math.max(3, Math.min(16, Math.floor((width - 2) / Math.max(1, T))));
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const pixelRatio = useDevicePixelRatio();

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || !pt) return;
    const scale = perTokenColorScale(pt);
    context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    for (const [l, row] of pt.nonlinearity.entries())
      for (const [t, v] of row.entries()) {
        if (v === null) continue;
        context.fillStyle = scale.lut[scale.index(v)];
        context.fillRect(t * cellWidth, l * CELL_HEIGHT, cellWidth, CELL_HEIGHT);
      }
  }, [pt, cellWidth, pixelRatio]);

  if (!pt) return null;
  const cell = hover ? highlightedCell(hover, entry.key, L, T, agreement) : null;
  const value = cell && cell.token !== null ? (pt.nonlinearity[cell.layer]?.[cell.token] ?? null) : null;

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const token = Math.floor((e.clientX - box.left) / cellWidth);
    const layer = Math.floor((e.clientY - box.top) / CELL_HEIGHT);
    if (token < 0 || token >= T || layer < 0 || layer >= L) return;
    if (hover?.entryKey !== entry.key || hover.layer !== layer || hover.token !== token)
      onHover(syncedHover(entry.key, layer, token, L));
  };

  /** Arrow keys move the cursor from its cell here (or the first cell); Escape hides it. */
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const here = hover?.entryKey === entry.key ? hover : null;
    const step: Record<string, [number, number]> = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
    };
    if (e.key === 'Escape') {
      onHover(null);
      return;
    }
    const move = step[e.key];
    if (!move) return;
    e.preventDefault();
    const layer = here ? Math.min(L - 1, Math.max(0, here.layer + move[0])) : 0;
    const token = here ? Math.min(T - 1, Math.max(0, here.token + move[1])) : 0;
    onHover(syncedHover(entry.key, layer, token, L));
  };

  return (
    <figure
      className="compare-heatmap"
      data-testid="compare-heatmap"
      data-entry={index}
      data-rows={L}
      data-cols={T}
    >
      <figcaption className="compare-heatmap__title">{entry.label}</figcaption>
      <div ref={wrapRef} className="compare-heatmap__scroll">
        {/* biome-ignore lint/a11y/useSemanticElements: a canvas grid with a keyboard cursor is no fieldset. */}
        <div
          role="group"
          aria-label={`Heatmap of ${entry.label}. Arrow keys move a cursor that the other heatmaps follow; Escape hides it.`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the grid takes focus for the arrow-key cursor.
          tabIndex={0}
          onKeyDown={onKey}
          className="compare-heatmap__grid"
          data-testid="compare-heatmap-grid"
          data-cell-width={cellWidth}
          data-cell-height={CELL_HEIGHT}
          style={{ width: T * cellWidth, height: L * CELL_HEIGHT }}
          onMouseMove={onMove}
          onMouseLeave={() => onHover(null)}
        >
          <canvas
            ref={canvasRef}
            width={Math.round(T * cellWidth * pixelRatio)}
            height={Math.round(L * CELL_HEIGHT * pixelRatio)}
            style={{ width: T * cellWidth, height: L * CELL_HEIGHT }}
          />
          {cell && (
            <>
              <div
                className="compare-heatmap__row"
                aria-hidden="true"
                style={{ top: cell.layer * CELL_HEIGHT, height: CELL_HEIGHT, width: T * cellWidth }}
              />
              <div
                className="compare-heatmap__cursor"
                data-testid="compare-heatmap-cursor"
                data-layer={cell.layer}
                data-token={cell.token ?? ''}
                data-source={hover?.entryKey === entry.key ? 'hovered' : 'synced'}
                aria-hidden="true"
                style={{
                  top: cell.layer * CELL_HEIGHT,
                  left: (cell.token ?? 0) * cellWidth,
                  width: cell.token === null ? T * cellWidth : Math.max(cellWidth, 4),
                  height: CELL_HEIGHT,
                }}
              />
            </>
          )}
        </div>
      </div>
      <p
        className="compare-heatmap__readout"
        data-testid="compare-heatmap-readout"
        data-value={dataValue(value)}
      >
        {cell
          ? cell.token === null
            ? `Pair ${cell.layer}→${cell.layer + 1} (nearest depth); no matching token.`
            : `Pair ${cell.layer}→${cell.layer + 1}, token ${cell.token} ${tokenLabel(result.tokens[cell.token]?.text ?? '')}: ${formatRelative(value)} × reference error`
          : `${L} layer pairs × ${T} tokens. Hover a cell to find the same token and depth in the others.`}
      </p>
    </figure>
  );
}
