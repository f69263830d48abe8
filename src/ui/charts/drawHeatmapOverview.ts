import type { RelativeColorScale } from './colorScale';
import type { ColumnMaxima } from './columnMaxima';
import type { HeatmapContext, HeatmapPalette } from './drawHeatmap';

/**
 * Paints the overview strip: one device-pixel column per `maxima` column, `rowHeight` device
 * pixels per row, each column in the colour of its maximum (runs of one colour become one
 * rectangle, grouped by colour as in `drawHeatmap`). A column that covers a flash gets a mark
 * (a square of a third of the row height, at least 2 px, dark or light against its cell), so a
 * flash shows however many tokens share its column, and a run of flashes reads as a dotted line
 * that leaves the colours visible.
 */
export function drawHeatmapOverview(
  ctx: HeatmapContext,
  maxima: ColumnMaxima,
  scale: RelativeColorScale,
  palette: HeatmapPalette,
  rowHeight: number,
): void {
  const { rows, columns, values, flash, pendingRows } = maxima;
  ctx.clearRect(0, 0, columns, rows * rowHeight);
  const MISSING = 256;
  const buckets: number[][] = Array.from({ length: 257 }, () => []);
  for (let l = 0; l < rows; l++) {
    if (pendingRows[l]) continue;
    let runStart = 0;
    let runBucket = -1;
    for (let c = 0; c <= columns; c++) {
      const v = c < columns ? values[l * columns + c] : Number.NaN;
      const bucket = c === columns ? -1 : Number.isNaN(v) ? MISSING : scale.index(v);
      if (bucket !== runBucket) {
        if (runBucket >= 0) buckets[runBucket].push(runStart, c, l);
        runStart = c;
        runBucket = bucket;
      }
    }
  }
  for (let b = 0; b < buckets.length; b++) {
    const list = buckets[b];
    if (list.length === 0) continue;
    ctx.fillStyle = b === MISSING ? palette.missing : scale.lut[b];
    for (let i = 0; i < list.length; i += 3)
      ctx.fillRect(list[i], list[i + 2] * rowHeight, list[i + 1] - list[i], rowHeight);
  }
  ctx.fillStyle = palette.pending;
  for (let l = 0; l < rows; l++) if (pendingRows[l]) ctx.fillRect(0, l * rowHeight, columns, rowHeight);

  const mark = Math.max(2, Math.round(rowHeight / 3));
  for (const dark of [true, false]) {
    ctx.fillStyle = dark ? '#000000' : '#ffffff';
    for (let l = 0; l < rows; l++) {
      const y = Math.round(l * rowHeight + (rowHeight - mark) / 2);
      for (let c = 0; c < columns; c++) {
        const i = l * columns + c;
        if (flash[i] !== 1) continue;
        const v = values[i];
        const light = Number.isNaN(v) ? true : scale.lightBackground[scale.index(v)];
        if (light !== dark) continue;
        ctx.fillRect(Math.min(columns - mark, Math.max(0, c - Math.floor(mark / 2))), y, mark, mark);
      }
    }
  }
}
