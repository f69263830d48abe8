import type { ResultPerToken } from '../../job/result';
import type { HeatmapLayout } from './heatmapLayout';

/** The part of CanvasRenderingContext2D the heatmap uses (a fake one records calls in tests). */
export interface HeatmapContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
}

export interface HeatmapPalette {
  /** Rows not computed yet. */
  readonly pending: string;
  /** Cells with no value (the pair had no reference map). */
  readonly missing: string;
}

/**
 * Paints every cell of the layout's tokens (`start` to `end`, from the grid's left edge) once, in device pixels (`pixelRatio` per CSS pixel) with edges rounded to
 * whole pixels so neighbouring cells meet without hairline seams. Runs of equal colour in a row
 * become one rectangle, and rectangles are grouped by colour, so 2,000 x 32 cells cost at most
 * 256 fill-style changes. Flashes get a centred dot, dark or light to contrast with the cell.
 */
export function drawHeatmap(
  ctx: HeatmapContext,
  layout: HeatmapLayout,
  perToken: ResultPerToken,
  palette: HeatmapPalette,
  pixelRatio: number,
): void {
  const { rows, start, end, cellWidth: cw, cellHeight: ch, scale } = layout;
  const span = end - start;
  const px = (v: number) => Math.round(v * pixelRatio);
  ctx.clearRect(0, 0, px(layout.gridWidth), px(layout.gridHeight));
  // Buckets 0..255 are ramp colours, 256 the missing colour; each holds x0, x1, row triples.
  const MISSING = 256;
  const buckets: number[][] = Array.from({ length: 257 }, () => []);
  const pendingRows: number[] = [];
  for (let l = 0; l < rows; l++) {
    const row = perToken.nonlinearity[l];
    if (!row) {
      pendingRows.push(l);
      continue;
    }
    // Runs in grid columns (token - start).
    let runStart = 0;
    let runBucket = -1;
    for (let c = 0; c <= span; c++) {
      const v = c < span ? row[start + c] : undefined;
      const bucket =
        c === span ? -1 : v === null || v === undefined || !Number.isFinite(v) ? MISSING : scale.index(v);
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
    for (let i = 0; i < list.length; i += 3) {
      const x0 = px(list[i] * cw);
      const y0 = px(list[i + 2] * ch);
      ctx.fillRect(x0, y0, px(list[i + 1] * cw) - x0, px((list[i + 2] + 1) * ch) - y0);
    }
  }
  if (pendingRows.length > 0) {
    ctx.fillStyle = palette.pending;
    for (const l of pendingRows) ctx.fillRect(0, px(l * ch), px(span * cw), px((l + 1) * ch) - px(l * ch));
  }
  const dot = Math.max(2, Math.min(cw, ch) * 0.4);
  for (const dark of [true, false]) {
    ctx.fillStyle = dark ? '#000000' : '#ffffff';
    for (let l = 0; l < rows; l++) {
      const flags = perToken.flash[l];
      const row = perToken.nonlinearity[l];
      if (!flags || !row) continue;
      for (let t = start; t < end; t++) {
        const v = row[t];
        if (flags[t] !== 1 || v === null || v === undefined) continue;
        if (scale.lightBackground[scale.index(v)] !== dark) continue;
        const cx = (t - start + 0.5) * cw;
        const cy = (l + 0.5) * ch;
        ctx.fillRect(px(cx - dot / 2), px(cy - dot / 2), Math.max(1, px(dot)), Math.max(1, px(dot)));
      }
    }
  }
}
