/** A legend entry placed in rows that wrap to the chart's width. */
export interface LegendItemLayout<K extends string> {
  readonly key: K;
  readonly label: string;
  readonly x: number;
  readonly y: number;
}

export interface LegendLayout<K extends string> {
  readonly items: LegendItemLayout<K>[];
  readonly width: number;
  readonly height: number;
}

/** Width of the swatch and the gap after it. */
export const LEGEND_SWATCH = 34;
const ROW_HEIGHT = 18;
const GAP = 16;
/** Average advance of a character in the legend's 12px UI font: a layout estimate, not a measurement. */
const CHAR_WIDTH = 6.6;

/**
 * Legend entries flowed left to right, wrapping when the next would pass `width`. Laid out in SVG
 * (not HTML) so that the legend goes with the chart into the exported SVG and PNG.
 */
export function legendLayout<K extends string>(
  entries: readonly { readonly key: K; readonly label: string }[],
  width: number,
): LegendLayout<K> {
  const items: LegendItemLayout<K>[] = [];
  let x = 0;
  let row = 0;
  for (const { key, label } of entries) {
    const w = LEGEND_SWATCH + label.length * CHAR_WIDTH;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    items.push({ key, label, x, y: row * ROW_HEIGHT + ROW_HEIGHT / 2 });
    x += w + GAP;
  }
  return { items, width, height: (row + 1) * ROW_HEIGHT };
}
