import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { loadExampleResult, loadLinearizeExample } from './exampleResult.testing';
import { LinearityChart } from './LinearityChart';
import { LinearizeSweepChart } from './LinearizeSweepChart';
import { LossChangeRows } from './LossChangeRows';
import { lossChangeScale } from './lossChangeScale';

const result = loadLinearizeExample();
const { linearize } = result;

/** Every opening tag with `attr` (equal to `value` when given), as attribute maps. */
function tagsWith(html: string, attr: string, value?: string): Record<string, string>[] {
  const tags = html.match(/<[a-z][^>]*>/g) ?? [];
  return tags
    .map((tag) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])))
    .filter((a) => a[attr] !== undefined && (value === undefined || a[attr] === value));
}

describe('<LinearizeSweepChart> static markup', () => {
  const sweep = linearize.sweep!;
  const html = renderToStaticMarkup(
    createElement(LinearizeSweepChart, { linearize: { ...linearize, sweep }, modelId: 'linscope/tiny-gpt2' }),
  );

  it('draws every block linearized and skipped, and each cumulative step, with the JSON numbers', () => {
    expect(tagsWith(html, 'data-testid', 'linearize-sweep')[0]).toMatchObject({
      'data-blocks': '4',
      'data-steps': '4',
      'data-in-sample': 'false',
    });
    const values = (series: string) =>
      tagsWith(html, 'data-series', series)
        .filter((a) => a['data-value'] !== undefined)
        .map((a) => [Number(a['data-block']), Number(a['data-value'])]);
    expect(values('linearized')).toEqual(sweep.blocks.map((b) => [b.block, b.linear!.lossIncrease]));
    expect(values('skipped')).toEqual(sweep.blocks.map((b) => [b.block, b.skip.lossIncrease]));
    expect(values('cumulative')).toEqual([
      [2, 0.043258454340199926],
      [3, 0.13061584563304995],
      [1, 0.427163164674615],
      [0, 0.5097978607130549],
    ]);
    expect(tagsWith(html, 'data-series', 'cumulative').map((a) => a['data-step'])).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(html).toContain('cumulative order: 2, 3, 1, 0');
    for (const id of ['png', 'svg', 'csv'])
      expect(tagsWith(html, 'data-testid', `linearize-sweep-export-${id}`)).toHaveLength(1);
  });
});

describe('<LossChangeRows> static markup', () => {
  const html = renderToStaticMarkup(
    createElement(LossChangeRows, { tokens: result.tokens, linearize, modelId: 'linscope/tiny-gpt2' }),
  );

  it('shades each token of each run by its loss change, on one diverging scale', () => {
    const rows = tagsWith(html, 'data-testid', 'linearize-loss-row');
    expect(rows.map((r) => r['data-run'])).toEqual(['0']);
    const tokens = tagsWith(html, 'data-token');
    expect(tokens).toHaveLength(25);
    expect(tokens.map((t) => (t['data-value'] === '' ? null : Number(t['data-value'])))).toEqual(
      linearize.runs[0].lossDelta,
    );
    const scale = lossChangeScale(linearize.runs[0].lossDelta);
    expect(tokens[2].style).toContain(`background:${scale.color(0.5973920822143555)}`);
    expect(tokens[24].style).toBeUndefined();
    expect(tagsWith(html, 'data-testid', 'linearize-loss-legend')[0]['data-domain']).toBe(
      '-0.5973920822143555,0.5973920822143555',
    );
    expect(html).toContain('Block 2 linearized');
  });
});

describe('<LinearityChart> with blocks picked for the experiment', () => {
  const example = loadExampleResult();
  const html = renderToStaticMarkup(
    createElement(LinearityChart, { result: example, selectedBlocks: [1, 3] }),
  );

  it('outlines the picked columns (left out of exports) and names them to screen readers', () => {
    const marks = tagsWith(html, 'data-testid', 'linearity-selected');
    expect(marks.map((m) => m['data-block'])).toEqual(['1', '3']);
    expect(marks.every((m) => m['data-export-skip'] === '')).toBe(true);
    expect(tagsWith(html, 'data-testid', 'linearity-chart')[0]['data-selected']).toBe('1,3');
    const targets = tagsWith(html, 'data-testid', 'linearity-target');
    expect(targets[1]['aria-label']).toMatch(/block picked for the experiment$/);
    expect(targets[0]['aria-label']).not.toMatch(/picked/);
  });
});
