import { describe, expect, it } from 'vitest';
import type { ChartResult } from './chartResult';
import { loadExampleResult } from './exampleResult.testing';
import { describeHeatmapCell, heatmapCellInfo, heatmapTooltipPosition } from './heatmapCellInfo';

const result = loadExampleResult();

describe('heatmapCellInfo(result, cell)', () => {
  it('reads the value, flash and the pair threshold of a cell', () => {
    const info = heatmapCellInfo(result, { layer: 0, token: 13 });
    expect(info).toEqual({
      token: result.tokens[13],
      value: 8.072220452835484,
      flash: true,
      threshold: 6.9714385989981995,
      excluded: false,
    });
    expect(heatmapCellInfo(result, { layer: 1, token: 0 })).toMatchObject({
      value: 0.7394614283522591,
      flash: false,
      threshold: 4.285596613990537,
    });
  });

  it('says pending, no map, left out, and nothing for a token outside the result', () => {
    const partial: ChartResult = {
      ...result,
      excludedTokens: [0],
      perToken: {
        ...result.perToken!,
        nonlinearity: [result.perToken!.nonlinearity[0].map((v, t) => (t === 2 ? null : v))],
        flash: [result.perToken!.flash[0]],
      },
    };
    expect(heatmapCellInfo(partial, { layer: 0, token: 2 })?.value).toBeNull();
    expect(heatmapCellInfo(partial, { layer: 3, token: 2 })?.value).toBeUndefined();
    expect(heatmapCellInfo(partial, { layer: 0, token: 0 })?.excluded).toBe(true);
    expect(heatmapCellInfo({ ...result, perToken: undefined }, { layer: 0, token: 0 })).toMatchObject({
      value: undefined,
      flash: false,
      threshold: null,
    });
    expect(heatmapCellInfo(result, { layer: 0, token: 148 })).toBeNull();
  });
});

describe('describeHeatmapCell(cell, info)', () => {
  it('names the token, the pair, the value and a flash', () => {
    const cell = { layer: 0, token: 1 };
    expect(describeHeatmapCell(cell, heatmapCellInfo(result, cell)!)).toBe(
      'Token 1 “·Once”, pair 0→1: 4.12 × reference mean error',
    );
    const flash = { layer: 0, token: 14 };
    expect(describeHeatmapCell(flash, heatmapCellInfo(result, flash)!)).toBe(
      `Token 14 “${result.tokens[14].text.replace(' ', '·')}”, pair 0→1: 11.4 × reference mean error, flash`,
    );
  });

  it('says pending for a pair not scored yet', () => {
    const cell = { layer: 2, token: 1 };
    const info = heatmapCellInfo({ ...result, perToken: undefined }, cell)!;
    expect(describeHeatmapCell(cell, info)).toBe('Token 1 “·Once”, pair 2→3: pending');
  });
});

describe('heatmapTooltipPosition(layout, cell, view)', () => {
  const layout = { rowLabelWidth: 52, cellWidth: 10, cellHeight: 28 };

  it('opens to the right of a column in the left half of the view, under its row', () => {
    // Column 5's centre: 52 + 55 = 107 px from the chart's left.
    expect(
      heatmapTooltipPosition(
        layout,
        { layer: 1, token: 5 },
        { scrollLeft: 0, visibleWidth: 400, width: 452 },
      ),
    ).toEqual({ top: 62, left: 115 });
  });

  it('opens to the left past the middle, measured from the chart’s right edge', () => {
    // Column 30's centre: 52 + 305 = 357; 357 - 52 > 400 / 2.
    expect(
      heatmapTooltipPosition(
        layout,
        { layer: 0, token: 30 },
        { scrollLeft: 0, visibleWidth: 400, width: 452 },
      ),
    ).toEqual({ top: 34, right: 103 });
  });

  it('follows the grid as it scrolls', () => {
    // Scrolled by 200 px, column 30 sits at 157: the left half again.
    expect(
      heatmapTooltipPosition(
        layout,
        { layer: 0, token: 30 },
        { scrollLeft: 200, visibleWidth: 400, width: 452 },
      ),
    ).toEqual({ top: 34, left: 165 });
  });
});
