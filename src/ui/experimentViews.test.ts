import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { promptTail } from './ContinuationCompare';
import { loadLinearizeExample } from './charts/exampleResult.testing';
import { ExperimentPanel } from './ExperimentPanel';
import { ExperimentResults } from './ExperimentResults';
import { INITIAL_EXPERIMENT } from './experimentState';

const result = loadLinearizeExample();
const { linearize } = result;

function tagsWith(html: string, attr: string, value?: string): Record<string, string>[] {
  const tags = html.match(/<[a-z][^>]*>/g) ?? [];
  return tags
    .map((tag) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])))
    .filter((a) => a[attr] !== undefined && (value === undefined || a[attr] === value));
}

describe('<ExperimentResults> static markup', () => {
  const html = renderToStaticMarkup(createElement(ExperimentResults, { result, linearize }));

  it('tabulates the original and each run with their exact numbers', () => {
    const cells = tagsWith(html, 'data-metric');
    expect(cells.slice(0, 2).map((c) => [c['data-metric'], Number(c['data-value'])])).toEqual([
      ['loss', 3.3879823099511364],
      ['perplexity', 29.606155919220477],
    ]);
    expect(cells.slice(2).map((c) => [c['data-metric'], Number(c['data-value'])])).toEqual([
      ['loss', 3.4312407642913363],
      ['perplexity', 30.9149771625045],
      ['lossIncrease', 0.043258454340199926],
      ['top1Changed', 0.25],
      ['kl', 0.05782127181490662],
    ]);
    expect(html).toContain('+0.0433');
    expect(html).toContain('25.0%');
    expect(html).toContain('on 24 positions of your text');
  });

  it('says where the maps come from, and flags in-sample maps', () => {
    expect(tagsWith(html, 'data-testid', 'linearize-maps')[0]).toMatchObject({
      'data-source': 'reference',
      'data-in-sample': 'false',
    });
    expect(html).toContain('reference-en.txt (1024 tokens, out of sample for this text)');
    const self = {
      ...linearize,
      maps: {
        ...linearize.maps,
        source: 'self' as const,
        name: 'the text itself',
        inSample: true,
        tokens: 25,
      },
    };
    const h = renderToStaticMarkup(createElement(ExperimentResults, { result, linearize: self }));
    expect(tagsWith(h, 'data-testid', 'linearize-maps')[0]['data-in-sample']).toBe('true');
    expect(h).toContain('In sample: maps fitted on this text itself (25 tokens, in sample');
    // The maps line, the run's maps cell and the sweep chart.
    expect(tagsWith(h, 'data-in-sample', 'true').length).toBe(3);
  });

  it('shows the continuations side by side, the new text marked apart from the prompt', () => {
    const items = tagsWith(html, 'data-testid', 'linearize-continuation');
    expect(items.map((i) => i['data-run'])).toEqual(['original', '0']);
    expect(html).toContain(
      '<mark class="continuations__new" data-testid="linearize-continuation-text"> And the LORD said unto</mark>',
    );
    expect(promptTail(result, 20)).toBe('…hout form, and void.');
    const text = result.tokens.map((t) => t.text).join('');
    expect(promptTail(result)).toBe(`…${text.slice(-80)}`);
    expect(promptTail(result, 200)).toBe(text);
  });

  it('draws the sweep when there is one', () => {
    expect(tagsWith(html, 'data-testid', 'linearize-sweep')).toHaveLength(1);
    const none = renderToStaticMarkup(
      createElement(ExperimentResults, { result, linearize: { ...linearize, sweep: null } }),
    );
    expect(tagsWith(none, 'data-testid', 'linearize-sweep')).toHaveLength(0);
  });
});

describe('<ExperimentPanel> static markup', () => {
  const props = {
    blocks: 4,
    selected: [2],
    onToggle: () => undefined,
    maps: 'reference' as const,
    onMaps: () => undefined,
    continuation: 20,
    onContinuation: () => undefined,
    blocked: false,
    onRun: () => undefined,
    onCancel: () => undefined,
  };

  it('has a box per block, the picked ones ticked, and no Cancel while idle', () => {
    const html = renderToStaticMarkup(
      createElement(ExperimentPanel, { ...props, state: INITIAL_EXPERIMENT }),
    );
    const boxes = tagsWith(html, 'type', 'checkbox');
    expect(boxes.map((b) => [b['data-testid'], b.checked !== undefined])).toEqual([
      ['linearize-block-0', false],
      ['linearize-block-1', false],
      ['linearize-block-2', true],
      ['linearize-block-3', false],
    ]);
    expect(tagsWith(html, 'data-testid', 'linearize-status')[0]['data-state']).toBe('idle');
    expect(tagsWith(html, 'data-testid', 'linearize-cancel')).toHaveLength(0);
  });

  it('shows progress and Cancel while running, and the worker’s message after a failure', () => {
    const running = renderToStaticMarkup(
      createElement(ExperimentPanel, {
        ...props,
        state: {
          status: 'running',
          progress: { stage: 'replace', done: 5, total: 14 },
          error: null,
          partial: null,
        },
      }),
    );
    expect(running).toContain('Running the model with blocks replaced: 5 of 14');
    expect(tagsWith(running, 'data-testid', 'linearize-cancel')).toHaveLength(1);
    expect(tagsWith(running, 'data-testid', 'run-sweep')[0].disabled).toBe('');
    const failed = renderToStaticMarkup(
      createElement(ExperimentPanel, {
        ...props,
        state: {
          status: 'error',
          progress: null,
          error: 'Block 1 has no map to replace it with.',
          partial: null,
        },
      }),
    );
    expect(tagsWith(failed, 'data-testid', 'linearize-error')).toHaveLength(1);
    expect(failed).toContain('Block 1 has no map to replace it with.');
  });
});
