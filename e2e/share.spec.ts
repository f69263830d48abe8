/**
 * Permalinks end to end (docs/permalinks.md): a shared link renders the same charts in a fresh
 * browser with every model file blocked; "re-run to verify" agrees within the quantisation; broken
 * and hostile links each show their message and leave the app usable; a reload restores the last
 * analysis from IndexedDB; a .linscope.json file opens with the same charts.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { encodePermalink, MAX_FRAGMENT_CHARS, packPermalink } from '../src/share/permalink';
import { recordedExample } from '../src/share/permalink.testing';
import { encodeResultSection } from '../src/share/permalinkResult';
import { shareDocuments, shareStateJson } from '../src/share/permalinkState';
import { type BackendName, expect, openApp, test, watchErrors } from './fixtures';

const MODEL = 'fixtures/tiny-random-gpt2';
const PROMPT = 'The quick brown fox jumps over the lazy dog. Then it rests <b>in the shade</b> & sleeps.';
const EXAMPLE_PROMPT_START = 'In the beginning God created the heaven and the earth.';

interface ChartNumbers {
  points: Record<string, number>;
  rows: string | null;
  cols: string | null;
  maxValue: number;
}

/** What the charts show: every linearity point's value, and the heatmap's shape and maximum. */
async function chartNumbers(page: Page): Promise<ChartNumbers> {
  const chart = page.getByTestId('linearity-chart');
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  const points = await chart
    .locator('[data-series][data-layer][data-value]')
    .evaluateAll((nodes) =>
      Object.fromEntries(
        nodes.map((n) => [
          `${n.getAttribute('data-series')}@${n.getAttribute('data-layer')}`,
          Number(n.getAttribute('data-value')),
        ]),
      ),
    );
  return {
    points,
    rows: await heatmap.getAttribute('data-rows'),
    cols: await heatmap.getAttribute('data-cols'),
    maxValue: Number(await heatmap.getAttribute('data-max-value')),
  };
}

function expectSameCharts(restored: ChartNumbers, original: ChartNumbers) {
  expect(Object.keys(restored.points).sort()).toEqual(Object.keys(original.points).sort());
  expect(Object.keys(original.points).length).toBeGreaterThan(0);
  for (const [key, value] of Object.entries(original.points)) {
    // float32 storage: relative 2^-24 (absolute below 1).
    expect(Math.abs(restored.points[key] - value), key).toBeLessThanOrEqual(
      Math.max(1, Math.abs(value)) * 2 ** -24,
    );
  }
  expect(restored.rows).toBe(original.rows);
  expect(restored.cols).toBe(original.cols);
  // The row maxima are stored as float32 ends of the log scale.
  expect(Math.abs(restored.maxValue - original.maxValue) / original.maxValue).toBeLessThan(1e-6);
}

async function analyseFixture(page: Page, backend: BackendName): Promise<void> {
  await openApp(page, backend, `model=${MODEL}&prompt=${encodeURIComponent(PROMPT)}&run=1`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('export-hidden')).toBeEnabled();
}

/** A context that refuses every model file, for the page and its workers, and lists what it refused. */
async function offlineModelsContext(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ baseURL });
  const refused: string[] = [];
  await context.route('**/models/**', (route) => {
    refused.push(route.request().url());
    return route.abort();
  });
  return { context, refused };
}

test('share: the link alone renders the same charts with every model file blocked, and re-run agrees', async ({
  page,
  backend,
  browser,
  baseURL,
}) => {
  const errors = watchErrors(page);
  await analyseFixture(page, backend);
  const original = await chartNumbers(page);

  await page.getByTestId('share-button').click();
  const shareLink = page.getByTestId('share-link');
  await expect(shareLink).toHaveValue(/#ls1\.[A-Za-z0-9_-]+$/);
  await expect(shareLink).toHaveAttribute('data-contents', 'results');
  expect(Number(await shareLink.getAttribute('data-length'))).toBeLessThanOrEqual(8192);
  await expect(page.getByTestId('share-info')).toContainText('never reaches a server');
  const url = await shareLink.inputValue();
  const fragment = url.slice(url.indexOf('#'));

  // A fresh browser context: no cache, no IndexedDB, and no model file can load.
  const offline = await offlineModelsContext(browser, baseURL);
  try {
    const fresh = await offline.context.newPage();
    const freshErrors = watchErrors(fresh);
    await fresh.goto(`./?backend=${backend}${fragment}`);
    await expect(fresh.getByTestId('result-origin')).toHaveAttribute('data-origin', 'link');
    expectSameCharts(await chartNumbers(fresh), original);
    // A result from a link has no hidden states in this tab: the export says so instead of failing.
    const exportHidden = fresh.getByTestId('export-hidden');
    await expect(exportHidden).toBeDisabled();
    await expect(exportHidden).toHaveAttribute('title', /press Analyze to compute them/);
    await expect(fresh.getByTestId('prompt-input')).toHaveValue(PROMPT);
    await expect(fresh.getByTestId('model-select')).toHaveValue(MODEL);
    // Token texts with markup are drawn as text.
    await expect(fresh.getByTestId('token-text-view')).toContainText('<b>');
    expect(await fresh.locator('.results b').count()).toBe(0);
    // Nothing but the probe that asks whether the model is served here was even tried.
    expect(offline.refused.filter((u) => !u.endsWith(`/models/${MODEL}/config.json`))).toEqual([]);
    expect(freshErrors).toEqual([]);
  } finally {
    await offline.context.close();
  }

  // With the models available: re-run and compare.
  const again = await page.context().newPage();
  const againErrors = watchErrors(again);
  await openApp(again, backend);
  await again.goto(`./?backend=${backend}${fragment}`);
  await expect(again.getByTestId('result-origin')).toHaveAttribute('data-origin', 'link');
  await expect(again.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await expect(again.getByTestId('verify-button')).toBeEnabled();
  await again.getByTestId('verify-button').click();
  const outcome = again.getByTestId('verify-outcome');
  await expect(outcome).toHaveAttribute('data-state', 'agrees', { timeout: 120_000 });
  await expect(outcome).toContainText(/^Agrees: layer scores differ by at most/);
  test
    .info()
    .annotations.push(
      { type: 'link', description: `${await shareLink.getAttribute('data-length')} characters` },
      { type: 'verify', description: (await outcome.textContent()) ?? '' },
    );
  // The same backend and machine: the fresh numbers are within the quantisation error alone.
  const attr = async (name: string) => Number(await outcome.getAttribute(name));
  expect(await attr('data-score-diff')).toBeLessThanOrEqual(await attr('data-score-quantisation'));
  expect(await attr('data-cell-diff')).toBeLessThanOrEqual(await attr('data-cell-quantisation'));
  expect(againErrors).toEqual([]);
  expect(errors).toEqual([]);
});

/** Broken and hostile links, built as the encoder would, around the recorded stories260K result. */
function brokenLinks(): { name: string; fragment: string; message: RegExp }[] {
  const { state, result } = recordedExample();
  const json = shareStateJson(state);
  const good = encodePermalink(state, result).fragment;
  const bytes = encodeResultSection(result, shareDocuments(state.input), true);
  const corrupt = bytes.slice();
  corrupt.fill(0xff, 12, 40);
  return [
    { name: 'not a LinScope link', fragment: '#results', message: /not a LinScope link/ },
    { name: 'javascript: URL', fragment: '#javascript:alert(1)', message: /not a LinScope link/ },
    { name: 'truncated', fragment: good.slice(0, Math.floor(good.length / 2)), message: /incomplete/ },
    { name: 'bad base64', fragment: '#ls1.AAAA$$$$', message: /characters a LinScope link never has/ },
    { name: 'nothing after the version', fragment: '#ls1.', message: /incomplete: nothing follows “ls1\.”/ },
    { name: 'bad deflate', fragment: '#ls1.__-_AQID', message: /does not unpack/ },
    {
      name: 'oversized',
      fragment: `#ls1.${'A'.repeat(MAX_FRAGMENT_CHARS + 10)}`,
      message: /too long to open/,
    },
    { name: 'future version', fragment: packPermalink(json, null, 3), message: /newer LinScope/ },
    { name: 'wrong version', fragment: packPermalink(json, null, 0), message: /unknown format number/ },
    {
      name: 'wrong types',
      fragment: packPermalink({ ...json, model: [1, 2] }, null),
      message: /names no model/,
    },
    {
      name: '<script> model id',
      fragment: packPermalink({ ...json, model: { id: '<script>window.__pwned=1</script>' } }, null),
      message: /model id LinScope does not accept/,
    },
    {
      name: 'oversized dimensions in the results',
      fragment: packPermalink(json, corrupt),
      message: /results were malformed/,
    },
    {
      name: 'huge numbers in the settings',
      fragment: packPermalink({ ...json, settings: { heldOutFraction: 1e308, maxWindow: 2 ** 60 } }, null),
      message: /heldOutFraction, maxWindow out of range/,
    },
  ];
}

test('broken and hostile links each say what is wrong, with no page error, and the app stays usable', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Link parsing is backend-independent; checked once, on WASM.');
  const errors = watchErrors(page);
  const links = brokenLinks();
  expect(links.length).toBeGreaterThanOrEqual(10);
  for (const link of links) {
    await page.goto('about:blank');
    await page.goto(`./?backend=${backend}${link.fragment}`);
    const message = page.getByTestId('link-message');
    await expect(message, link.name).toContainText(link.message);
    if (link.name.includes('results') || link.name.includes('settings')) {
      // Opened, with a note: the inputs came from the link.
      await expect(message).toHaveAttribute('data-kind', 'notes');
    } else {
      await expect(message).toHaveAttribute('data-kind', 'error');
      await expect(page.getByTestId('prompt-input'), link.name).toHaveValue(
        new RegExp(`^${EXAMPLE_PROMPT_START}`),
      );
    }
    expect(
      await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned),
      link.name,
    ).toBeUndefined();
    expect(errors, link.name).toEqual([]);
  }
  // Still usable: the runtime comes up and Analyze can be pressed.
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
});

test('markup in a link’s text and tokens is shown as text, never run', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'Rendering is backend-independent; checked once, on WASM.');
  const errors = watchErrors(page);
  const { state, result } = recordedExample();
  const text = '<script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=2">';
  const hostile: LinScopeResult = {
    ...result,
    tokens: [
      { id: 1, text: '<script>window.__pwned=1</script>', doc: 0 },
      { id: 2, text: ' and <img src=x onerror="window.__pwned=2">', doc: 0 },
    ],
    windows: [{ doc: 0, start: 0, end: 2 }],
    excludedTokens: [],
    perToken: result.perToken && {
      ...result.perToken,
      nonlinearity: result.perToken.nonlinearity.map((row) => row.slice(0, 2)),
      flash: result.perToken.flash.map((row) => row.slice(0, 2)),
    },
  };
  const link = encodePermalink({ ...state, input: { text, corpus: false } }, hostile);
  await page.goto(`./?backend=${backend}${link.fragment}`);
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-cols', '2');
  await expect(page.getByTestId('token-text-view')).toContainText('<img src=x onerror=');
  await expect(page.getByTestId('prompt-input')).toHaveValue(text);
  expect(await page.locator('img[onerror]').count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(errors).toEqual([]);
});

test('a link naming a Hub model outside the list shows its results and asks before any download', async ({
  page,
  backend,
  requests,
}) => {
  test.skip(backend !== 'wasm', 'The download question is backend-independent; checked once, on WASM.');
  const errors = watchErrors(page);
  const { state, result } = recordedExample();
  const id = 'someone/unlisted-model';
  const link = encodePermalink(
    { ...state, model: { ...state.model, id } },
    { ...result, model: { ...result.model, id } },
  );
  await openApp(page, backend);
  await page.goto(`./?backend=${backend}${link.fragment}`);
  await expect(page.getByTestId('link-message')).toContainText('not one of LinScope’s listed models');
  await expect(page.getByTestId('linearity-chart')).toHaveAttribute(
    'data-layers',
    String(result.layers.length),
  );
  await expect(page.getByTestId('model-select')).toHaveValue(id);
  await expect(page.getByTestId('verify-button')).toBeEnabled();
  await page.getByTestId('verify-button').click();
  await expect(page.getByTestId('download-confirm')).toContainText(id);
  expect(requests.filter((u) => !u.startsWith(new URL(page.url()).origin))).toEqual([]);
  expect(errors).toEqual([]);
});

test('a reload restores the last analysis; a .linscope.json file opens with the same charts', async ({
  page,
  backend,
  browser,
  baseURL,
}) => {
  const errors = watchErrors(page);
  await analyseFixture(page, backend);
  const original = await chartNumbers(page);
  // Saved once the picker lists it.
  await expect(page.getByTestId('recent-select')).toBeVisible();

  // Reload without the start parameters (they would run again): the analysis comes back from IndexedDB.
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'recent');
  const restored = await chartNumbers(page);
  expect(restored.points).toEqual(original.points);
  expect([restored.rows, restored.cols, restored.maxValue]).toEqual([
    original.rows,
    original.cols,
    original.maxValue,
  ]);
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);

  const download = page.waitForEvent('download');
  await page.getByTestId('download-linscope').click();
  const file = await (await download).path();
  expect(JSON.parse(readFileSync(file, 'utf8')).schema).toBe('linscope.share/v1');

  const offline = await offlineModelsContext(browser, baseURL);
  try {
    const fresh = await offline.context.newPage();
    const freshErrors = watchErrors(fresh);
    await fresh.goto(`./?backend=${backend}`);
    await fresh.getByTestId('open-linscope-file').setInputFiles(file);
    await expect(fresh.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
    const fromFile = await chartNumbers(fresh);
    expect(fromFile.points).toEqual(original.points);
    expect(fromFile.maxValue).toBe(original.maxValue);
    expect(freshErrors).toEqual([]);
  } finally {
    await offline.context.close();
  }

  // Forget them: the list goes, the analysis on screen stays, and a reload restores nothing.
  const forget = page.getByTestId('forget-recent');
  await expect(forget).toHaveAttribute('title', /kept in this browser only \(IndexedDB\)/);
  await forget.click();
  await expect(page.getByTestId('recent-select')).toHaveCount(0);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'recent');
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('backend')).not.toHaveText(/Starting runtime/);
  await expect(page.getByTestId('recent-select')).toHaveCount(0);
  await expect(page.getByTestId('result-origin')).toHaveCount(0);
  const stored = await page.evaluate(
    `new Promise((resolve, reject) => {
      const open = indexedDB.open('linscope-recent');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const count = db.transaction('recent-analyses').objectStore('recent-analyses').count();
        count.onsuccess = () => { resolve(count.result); db.close(); };
        count.onerror = () => reject(count.error);
      };
    })`,
  );
  expect(stored).toBe(0);
  expect(errors).toEqual([]);
});

test('a link whose results did not fit recomputes them on open when the model is served here', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  const { state } = recordedExample();
  const link = encodePermalink(
    {
      ...state,
      model: { id: MODEL, revision: 'main', dtype: 'fp32' },
      input: { text: PROMPT, corpus: false },
    },
    null,
  );
  expect(link.contents).toBe('inputs');
  await openApp(page, backend, `x=1${link.fragment}`);
  await expect(page.getByTestId('link-message')).toContainText('holds the inputs only');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);
  // A fresh run, not a restored view: the link leaves the address bar so a reload shows this run.
  await expect(page.getByTestId('result-origin')).toHaveCount(0);
  expect(new URL(page.url()).hash).toBe('');
  expect(errors).toEqual([]);
});
