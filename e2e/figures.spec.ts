/**
 * Figures a researcher can put in a paper, and the polish around them: the linearity chart's score
 * axis hugs the data (with a full 0–1 toggle); exported SVGs carry axis titles and a caption naming
 * model, dtype, n, d and reference, and no trace of what is focused on screen; the model picker and
 * the logit lens fit their boxes; partial-byte tokens read as bytes; a link opened with the model
 * files blocked logs no error and says why the logit lens is missing.
 */
import { readFileSync } from 'node:fs';
import type { Browser, ConsoleMessage, Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { expect, openApp, test } from './fixtures';

// About 300 tokens of the bundled model's own kind of text: n > d = 128, so every score exists.
const PROMPT = [
  'And God said, Let there be light: and there was light. And God saw the light, that it was good: and God divided the light from the darkness.',
  'And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.',
  'A hacker is a person who enjoys exploring the details of programmable systems and how to stretch their capabilities,',
  'as opposed to most users, who prefer to learn only the minimum necessary. One who programs enthusiastically, even obsessively,',
  'or who enjoys programming rather than just theorizing about programming. A person capable of appreciating hack value.',
  'And the earth brought forth grass — and herb yielding seed after his kind … “and the tree yielding fruit”, whose seed was in itself,',
  'after his kind: and God saw that it was good. A kludge is a clever programming trick intended to solve a particular nasty case',
  'in an expedient, if not clear, manner. Often used to repair bugs. Typically involves ad-hockery and verges on being a crock.',
].join(' ');

async function analysed(page: Page, backend: 'wasm' | 'webgpu'): Promise<LinScopeResult> {
  await openApp(page, backend, `prompt=${encodeURIComponent(PROMPT)}&run=1`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8'));
}

/** The file an export button downloads, as text. */
async function exported(page: Page, testId: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return readFileSync(await (await download).path(), 'utf8');
}

const domainOf = async (page: Page) =>
  ((await page.getByTestId('linearity-chart').getAttribute('data-y-domain')) ?? '').split(',').map(Number);

const tickValues = (page: Page) =>
  page
    .getByTestId('linearity-chart')
    .locator('.lsc-ytick[data-value]')
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));

test('the score axis hugs the plotted scores, and "Full 0–1 axis" shows the whole range', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Drawing the axis does not depend on the backend.');
  const result = await analysed(page, backend);
  const chart = page.getByTestId('linearity-chart');
  const drawn = await chart
    .locator('[data-series][data-layer][data-value]')
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));
  expect(drawn.length).toBe(3 * result.layers.length);
  const lowest = Math.min(...drawn);
  const highest = Math.max(...drawn);

  await expect(chart).toHaveAttribute('data-axis', 'fitted');
  const [bottom, top] = await domainOf(page);
  // Every score is on the axis, with no more than a tick step and a tenth of the spread around it.
  expect(bottom).toBeLessThanOrEqual(lowest);
  expect(top).toBeGreaterThanOrEqual(highest);
  expect(top).toBeLessThanOrEqual(1);
  const ticks = await tickValues(page);
  const step = ticks[1] - ticks[0];
  expect(lowest - bottom).toBeLessThanOrEqual(0.1 * (highest - lowest) + step + 1e-9);
  expect(top - highest).toBeLessThanOrEqual(0.1 * (highest - lowest) + step + 1e-9);
  expect(bottom).toBeGreaterThan(0);
  expect(ticks[0]).toBeCloseTo(bottom, 9);
  expect(ticks.at(-1)).toBeCloseTo(top, 9);
  // The chance floor (d / (n − 1) ≈ 0.44 here) is below this axis: no band, and the legend says so.
  expect(result.layers[0].chanceFloor ?? 1).toBeLessThan(bottom);
  await expect(chart).toHaveAttribute('data-floor', 'below-axis');
  await expect(chart.locator('.lsc-floor rect')).toHaveCount(0);
  await expect(chart.locator('.lsc-legend')).toContainText(
    `chance floor below this axis (up to ${(result.layers[0].chanceFloor ?? 0).toFixed(4)})`,
  );

  await page.getByTestId('linearity-full-axis').check();
  await expect(chart).toHaveAttribute('data-axis', 'full');
  await expect(chart).toHaveAttribute('data-y-domain', '0,1');
  expect(await tickValues(page)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  await expect(chart).toHaveAttribute('data-floor', 'on-axis');
  await expect(chart.locator('.lsc-floor rect')).toHaveCount(result.layers.length);
  await expect(chart.locator('[data-floor-below]')).toHaveCount(0);
  // The same points, only placed differently.
  await expect(chart.locator('[data-series][data-layer][data-value]')).toHaveCount(drawn.length);
  await page.getByTestId('linearity-full-axis').uncheck();
  await expect(chart).toHaveAttribute('data-y-domain', `${bottom},${top}`);
});

test('exported SVGs: axis titles, a caption with model, dtype, n, d and reference, and nothing focused', async ({
  page,
  backend,
}) => {
  const result = await analysed(page, backend);
  const chart = page.getByTestId('linearity-chart');
  // Focus pair 1, and pick block 2 for the experiment: both marked on screen.
  await chart.getByTestId('linearity-target').nth(1).click();
  await chart
    .getByTestId('linearity-target')
    .nth(2)
    .click({ modifiers: ['Shift'] });
  await expect(chart.getByTestId('linearity-focus')).toHaveAttribute('data-layer', '1');
  await expect(chart.getByTestId('linearity-selected')).toHaveCount(1);
  await expect(chart.locator('.lsc-tick--focus')).toHaveCount(1);
  await expect(chart.locator('.lsc-point--focus')).toHaveCount(3);

  const first = result.layers[0];
  const reference = result.perToken?.reference;
  expect(reference).toBeTruthy();
  const caption = `model ${result.model.id} · dtype ${result.model.dtype} · n = ${first.n} tokens · d = ${first.d} · reference “${reference?.name}” (${reference?.tokens} tokens)`;
  const captionOf = (svg: string) =>
    [...svg.matchAll(/<text[^>]*data-figure-caption=""[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' · ');
  const xmlText = (s: string) => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

  const linearity = await exported(page, 'linearity-chart-export-svg');
  expect(linearity).toContain('layer pair (l → l+1)');
  expect(linearity).toContain('linearity score (1 = linear)');
  expect(xmlText(captionOf(linearity))).toContain(caption);
  // No focus band, picked block, hover mark, hit target, bold focused tick or enlarged marker.
  for (const highlight of ['linearity-focus', 'linearity-selected', 'linearity-target', 'lsc-'])
    expect(linearity, highlight).not.toContain(highlight);
  expect(linearity).not.toMatch(/font-weight:\s*(700|bold)/);
  expect(linearity).not.toMatch(/transform:\s*scale/);
  // Still every point, with its value.
  expect(linearity.match(/data-series="linearity"/g)).toHaveLength(result.layers.length);
  // On screen the focus is still there.
  await expect(chart.getByTestId('linearity-focus')).toHaveCount(1);
  await expect(chart.locator('.lsc-tick--focus')).toHaveCount(1);

  // The heatmap with its row focused (the same pair) and a column picked.
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap.getByTestId('heatmap-focus-row')).toHaveAttribute('data-layer', '1');
  const svg = await exported(page, 'nonlinearity-heatmap-export-svg');
  expect(svg).toContain('layer pair (l → l+1)');
  expect(svg).toContain('token (in text order)');
  expect(svg).toContain('× reference mean error');
  expect(xmlText(captionOf(svg))).toContain(caption);
  expect(svg).not.toContain('heatmap-focus-row');
  expect(svg).not.toMatch(/font-weight:\s*(700|bold)/);
  expect(svg).not.toMatch(/fill-opacity:\s*0\.15/);

  const companions = await exported(page, 'companion-charts-export-svg');
  for (const title of [
    'state (0 = embeddings)',
    'layer pair (l → l+1)',
    'variance share',
    'mean cosine',
    'norm ratio',
  ])
    expect(companions, title).toContain(title);
  expect(xmlText(captionOf(companions))).toContain(caption);
  expect(companions).not.toContain('lsc-focus');
  expect(companions.match(/fill-opacity:\s*0\.12/g)).toBeNull();
});

test('the model picker and the logit lens fit their boxes on a 1366 × 768 laptop and a phone', async ({
  page,
  backend,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  const result = await analysed(page, backend);
  for (const viewport of [
    { width: 1366, height: 768 },
    { width: 1024, height: 768 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(viewport);
    const select = page.getByTestId('model-select');
    await expect(select).toHaveValue('linscope/tiny-gpt2');
    // The closed select shows its whole text.
    await expect
      .poll(() => select.evaluate((el) => el.scrollWidth - el.clientWidth), {
        message: `${viewport.width} px`,
      })
      .toBeLessThanOrEqual(0);
    const lens = page.getByTestId('logit-lens');
    await expect
      .poll(() => lens.evaluate((card) => card.scrollWidth - card.clientWidth), {
        message: `${viewport.width} px`,
      })
      .toBeLessThanOrEqual(0);
    const overflow = await lens.evaluate((card) => {
      const box = card.getBoundingClientRect();
      let worst = Number.NEGATIVE_INFINITY;
      for (const el of card.querySelectorAll('table, tr, th, td'))
        worst = Math.max(worst, el.getBoundingClientRect().right - box.right);
      return worst;
    });
    expect(overflow, `${viewport.width} px: the grid stays inside its card`).toBeLessThanOrEqual(0);
  }

  // Partial-byte tokens read as their bytes, in the grid, its tooltips and the JSON alike.
  const lensResult = result.logitLens;
  expect(lensResult).toBeTruthy();
  const texts = Object.values(lensResult?.tokenText ?? {});
  expect(texts.join('')).not.toContain('\uFFFD');
  const grid = page.getByTestId('logit-lens');
  expect(await grid.locator('td').allTextContents()).not.toContainEqual(expect.stringContaining('\uFFFD'));
  const titles = await grid
    .locator('td')
    .evaluateAll((cells) => cells.map((c) => c.getAttribute('title') ?? ''));
  expect(titles.join('')).not.toContain('\uFFFD');
  for (const text of texts.filter((t) => t.includes('\\x'))) expect(text).toMatch(/\\x[0-9a-f]{2}/);
});

/** A fresh context that refuses every model file, for the page and its workers. */
async function modelsBlocked(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ baseURL });
  await context.route('**/models/**', (route) => route.abort());
  return context;
}

test('a share link opened with the model files blocked: no console error, and a note on the missing logit lens', async ({
  page,
  backend,
  browser,
  baseURL,
}) => {
  await analysed(page, backend);
  await expect(page.getByTestId('logit-lens')).toBeVisible();
  await page.getByTestId('share-button').click();
  const url = await page.getByTestId('share-link').inputValue();
  const fragment = url.slice(url.indexOf('#'));

  const context = await modelsBlocked(browser, baseURL);
  try {
    const fresh = await context.newPage();
    const problems: string[] = [];
    const watch = (m: ConsoleMessage) => {
      // The browser's own line for each request this test aborts is not the page's doing.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    };
    fresh.on('console', watch);
    fresh.on('worker', (worker) => worker.on('console', watch));
    fresh.on('pageerror', (e) => problems.push(e.message));
    await fresh.goto(`./?backend=${backend}${fragment}`);
    await expect(fresh.getByTestId('result-origin')).toHaveAttribute('data-origin', 'link');
    await expect(fresh.getByTestId('logit-lens')).toHaveCount(0);
    const note = fresh.getByTestId('logit-lens-note');
    await expect(note).toBeVisible();
    await expect(note).toContainText('Logit lens left out');
    await expect(note).toContainText('model');
    // The token count tries the blocked model in the worker: give it time to fail, quietly.
    await fresh.getByTestId('prompt-input').fill(`${PROMPT} Again.`);
    await fresh.waitForTimeout(2_000);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
