import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CompanionCharts } from './CompanionCharts';
import type { ChartResult } from './chartResult';
import { loadExampleResult } from './exampleResult.testing';
import { FlashList } from './FlashList';
import { LinearityChart } from './LinearityChart';
import { NonlinearityHeatmap } from './NonlinearityHeatmap';
import { TokenTextView } from './TokenTextView';

const result = loadExampleResult();

/** Every opening tag with `attr="value"`, as attribute maps. */
function tagsWith(html: string, attr: string, value?: string): Record<string, string>[] {
  const tags = html.match(/<[a-z][^>]*>/g) ?? [];
  return tags
    .map((tag) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])))
    .filter((a) => a[attr] !== undefined && (value === undefined || a[attr] === value));
}

describe('<LinearityChart> static markup', () => {
  const html = renderToStaticMarkup(createElement(LinearityChart, { result, focusLayer: 2 }));

  it('has one point per non-null value, carrying the JSON number', () => {
    expect(tagsWith(html, 'data-testid', 'linearity-chart')).toHaveLength(1);
    const series = {
      linearity: result.layers.map((l) => l.linearity),
      linearityNoResidual: result.layers.map((l) => l.linearityNoResidual),
      heldOut: result.layers.map((l) => l.heldOut?.linearity),
    };
    for (const [key, values] of Object.entries(series)) {
      const points = tagsWith(html, 'data-series', key).filter((a) => a['data-value'] !== undefined);
      expect(points.map((p) => Number(p['data-layer']))).toEqual([0, 1, 2, 3, 4]);
      expect(points.map((p) => Number(p['data-value']))).toEqual(values);
    }
  });

  it('gives each pair a keyboard target and highlights the focused pair', () => {
    const targets = tagsWith(html, 'data-testid', 'linearity-target');
    expect(targets).toHaveLength(5);
    expect(targets.every((t) => t.tabindex === '0' && t.role === 'button')).toBe(true);
    expect(targets.map((t) => t['aria-pressed'])).toEqual(['false', 'false', 'true', 'false', 'false']);
    expect(targets[2]['aria-label']).toContain('with residual 0.9017');
    expect(tagsWith(html, 'data-testid', 'linearity-focus')[0]['data-layer']).toBe('2');
    expect(html).toContain('n = 148 tokens, d = 64');
    expect(html).toContain('from emb.');
    expect(html).toContain('to final norm');
    expect(html).toContain('https://arxiv.org/abs/2405.12250');
  });

  it('draws gap marks with the reason and pending columns for a partial result', () => {
    const partial: ChartResult = {
      ...result,
      layers: [{ ...result.layers[0], linearity: null, reason: 'n <= d' }],
      perToken: undefined,
    };
    const h = renderToStaticMarkup(createElement(LinearityChart, { result: partial }));
    const linearityPoints = tagsWith(h, 'data-series', 'linearity').filter((a) => a['data-value']);
    expect(linearityPoints).toHaveLength(0);
    expect(tagsWith(h, 'data-gap').filter((a) => a['data-series'] === 'linearity')).toHaveLength(1);
    expect(h).toContain('no score (n &lt;= d)');
    expect(tagsWith(h, 'data-pending')).toHaveLength(4);
  });
});

describe('<NonlinearityHeatmap> static markup', () => {
  it('exposes rows, columns and the largest value on the root', () => {
    const html = renderToStaticMarkup(createElement(NonlinearityHeatmap, { result, focusLayer: 1 }));
    const [root] = tagsWith(html, 'data-testid', 'nonlinearity-heatmap');
    expect(root['data-rows']).toBe('5');
    expect(root['data-cols']).toBe('148');
    expect(Number(root['data-max-value'])).toBe(22.046674832224802);
    expect(root['data-state']).toBe('ready');
    expect(tagsWith(html, 'data-testid', 'heatmap-canvas')).toHaveLength(1);
    expect(tagsWith(html, 'data-testid', 'heatmap-focus-row')[0]['data-layer']).toBe('1');
    expect(tagsWith(html, 'data-testid', 'heatmap-grid')[0].tabindex).toBe('0');
    expect(html).toContain('× reference mean error');
    // Focused pair 1→2: its threshold alone is marked.
    expect(tagsWith(html, 'data-threshold').map((a) => Number(a['data-threshold']))).toEqual([
      result.perToken!.flashThreshold[1],
    ]);
  });

  it('explains the empty state without a reference', () => {
    const html = renderToStaticMarkup(
      createElement(NonlinearityHeatmap, { result: { ...result, perToken: null } }),
    );
    const [root] = tagsWith(html, 'data-testid', 'nonlinearity-heatmap');
    expect(root['data-state']).toBe('no-reference');
    expect(root['data-max-value']).toBe('');
    expect(html).toContain('reference text');
    expect(tagsWith(html, 'data-testid', 'heatmap-canvas')).toHaveLength(0);
  });
});

describe('<TokenTextView> static markup', () => {
  it('colours each token with the focused pair value and renders hostile text as text', () => {
    const hostile: ChartResult = {
      ...result,
      tokens: result.tokens.map((t, i) => (i === 1 ? { ...t, text: '<img src=x onerror=alert(1)>' } : t)),
    };
    const html = renderToStaticMarkup(createElement(TokenTextView, { result: hostile, focusLayer: 4 }));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const spans = tagsWith(html, 'data-token');
    expect(spans).toHaveLength(148);
    expect(spans.map((s) => Number(s['data-value']))).toEqual(result.perToken!.nonlinearity[4]);
    expect(spans.filter((s) => s['data-flash'] !== undefined)).toHaveLength(43);
    expect(tagsWith(html, 'data-testid', 'token-text-view')[0]['data-layer']).toBe('4');
  });
});

describe('<FlashList> static markup', () => {
  it('lists the 20 strongest flashes, largest first', () => {
    const html = renderToStaticMarkup(createElement(FlashList, { result }));
    const entries = tagsWith(html, 'data-value').filter((a) => a['data-token'] !== undefined);
    expect(entries).toHaveLength(20);
    const values = entries.map((e) => Number(e['data-value']));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(values[0]).toBe(22.046674832224802);
    expect(html).toContain('20 of 89');
  });
});

describe('<CompanionCharts> static markup', () => {
  it('draws anisotropy per state and cosine and update ratio per pair with the JSON numbers', () => {
    const html = renderToStaticMarkup(createElement(CompanionCharts, { result }));
    const values = (key: string) =>
      tagsWith(html, 'data-series', key)
        .filter((a) => a['data-value'])
        .map((a) => Number(a['data-value']));
    expect(values('anisotropy')).toEqual(result.states.map((s) => s.anisotropy));
    expect(values('cosine')).toEqual(result.layers.map((l) => l.cosine));
    expect(values('updateRatio')).toEqual(result.layers.map((l) => l.updateRatio));
    expect(tagsWith(html, 'data-testid', 'companion-charts')).toHaveLength(1);
  });
});
