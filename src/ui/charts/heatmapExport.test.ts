import { describe, expect, it } from 'vitest';
import { loadExampleResult } from './exampleResult.testing';
import { heatmapExports, heatmapFigure } from './heatmapExport';
import { heatmapLayout } from './heatmapLayout';

const result = loadExampleResult();
// Stand-ins for the drawn elements: the figure only carries them to the serialiser.
const rows = { name: 'rows' } as unknown as SVGSVGElement;
const canvas = { name: 'canvas' } as unknown as HTMLCanvasElement;
const tokens = { name: 'tokens' } as unknown as SVGSVGElement;
const legend = { name: 'legend' } as unknown as SVGSVGElement;
const colors = { background: '#fff', foreground: '#000' };

describe('heatmapFigure(layout, parts, title, colors)', () => {
  // 5 pairs x 148 tokens at 1000 px: rows 28 px high, the grid 948 x 140 beside 52 px of labels.
  const layout = heatmapLayout(result, { width: 1000 });

  it('places the axis titles, labels, the whole grid and the legend from the layout', () => {
    const figure = heatmapFigure(
      layout,
      { rows, canvas, tokens, legend: { element: legend, width: 356, height: 78 } },
      'Per-token non-linearity · m',
      colors,
    );
    // An 18 px column for the row-axis title, an 18 px row for the token-axis title.
    expect(figure.pieces).toEqual([
      { element: rows, x: 18, y: 0, width: 52, height: 140 },
      { element: canvas, x: 70, y: 0, width: 948, height: 140 },
      { element: tokens, x: 70, y: 140, width: 948, height: 68 },
      { element: legend, x: 70, y: 234, width: 356, height: 78 },
    ]);
    expect(figure.labels).toEqual([
      { text: 'layer pair (l → l+1)', x: 13, y: 70, anchor: 'middle', vertical: true },
      { text: 'token (in text order)', x: 70 + 948 / 2, y: 221, anchor: 'middle' },
    ]);
    expect(figure).toMatchObject({
      title: 'Per-token non-linearity · m',
      width: 1026,
      height: 312,
      background: '#fff',
      foreground: '#000',
    });
  });

  it('widens the figure to a legend wider than the grid, and leaves a missing legend out', () => {
    const narrow = heatmapLayout({ ...result, tokens: result.tokens.slice(0, 20) }, { width: 300 });
    // 20 columns in 248 px: 12.4 px each.
    expect(narrow.gridWidth).toBeCloseTo(248, 10);
    const wide = heatmapFigure(
      narrow,
      { rows, canvas, tokens, legend: { element: legend, width: 356, height: 78 } },
      't',
      colors,
    );
    expect(wide.width).toBe(18 + 52 + 356 + 8);
    const bare = heatmapFigure(narrow, { rows, canvas, tokens, legend: null }, 't', colors);
    expect(bare.pieces).toHaveLength(3);
    expect(bare.width).toBeCloseTo(18 + 52 + 248 + 8, 10);
    expect(bare.height).toBe(140 + 68 + 18 + 8 + 78);
  });
});

describe('heatmapExports(result, ready, figure)', () => {
  it('offers PNG, SVG and CSV once the grid is drawn, and CSV alone before', () => {
    expect(heatmapExports(result, true, () => null).map((a) => a.id)).toEqual(['png', 'svg', 'csv']);
    const pending = heatmapExports(result, false, () => null);
    expect(pending.map((a) => [a.id, a.description])).toEqual([
      ['csv', 'Download the per-token values as CSV'],
    ]);
  });
});
