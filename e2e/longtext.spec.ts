/**
 * Long texts and the heatmap (issue #18): a 20,000-token run on the embedded model shows the whole
 * text in an overview strip, the detail fits its box, a flash chosen in the list brings the detail
 * (and the text view) to its token; a corpus shows where each document starts.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openApp, test } from './fixtures';

const REFERENCE = readFileSync(join(resolve('.'), 'public/corpus/reference-en.txt'), 'utf8');
// The bundled public-domain text is ~15,500 tokens; once more in part makes ~20,000.
const LONG_TEXT = `${REFERENCE}\n\n${REFERENCE.slice(0, 14_700)}`;

async function analyze(page: Page, text: string, corpus = false): Promise<void> {
  await page.getByTestId('prompt-input').fill(text);
  if (corpus) await page.getByTestId('corpus-toggle').check();
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
}

/** The detail window the heatmap shows now: [start, end). */
async function detailWindow(page: Page): Promise<[number, number]> {
  const grid = page.getByTestId('heatmap-grid');
  return [
    Number(await grid.getAttribute('data-window-start')),
    Number(await grid.getAttribute('data-window-end')),
  ];
}

test('a 20,000-token text: the overview holds all of it, the heatmap fits, a chosen flash is brought into view', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Drawing does not depend on the backend; checked on WASM.');
  test.setTimeout(360_000);
  await openApp(page, backend);
  const started = Date.now();
  await analyze(page, LONG_TEXT);
  test
    .info()
    .annotations.push({ type: 'run', description: `${((Date.now() - started) / 1000).toFixed(1)} s` });

  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  const tokens = Number(await heatmap.getAttribute('data-cols'));
  expect(tokens).toBeGreaterThanOrEqual(20_000);

  // The overview strip covers every token, in no more than its own width.
  const overview = page.getByTestId('heatmap-overview');
  await expect(overview).toHaveAttribute('data-tokens', String(tokens));
  const stripBox = await overview.boundingBox();
  expect(stripBox).not.toBeNull();
  const canvasBox = await page.getByTestId('heatmap-overview-canvas').boundingBox();
  expect(canvasBox?.width).toBeCloseTo(stripBox?.width ?? 0, 0);

  // Nothing on the page is wider than the viewport: the heatmap fits its box.
  const overflow = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth + 0.5;
    const wide = [...document.querySelectorAll('[data-testid="nonlinearity-heatmap"] *')]
      .filter((el) => el.getBoundingClientRect().right > limit)
      .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
    return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, wide };
  });
  expect(overflow).toEqual({ page: 0, wide: [] });
  const gridBox = await page.getByTestId('heatmap-grid').boundingBox();
  const detailCanvas = await page.getByTestId('heatmap-canvas').boundingBox();
  expect(detailCanvas?.width).toBeLessThanOrEqual((gridBox?.width ?? 0) + 0.5);

  // Redrawing the overview for a new width (aggregation and painting) is quick.
  const redraw = await page.evaluate(async () => {
    const strip = document.querySelector('[data-testid="heatmap-overview"]');
    const before = strip?.getAttribute('data-columns');
    const t0 = performance.now();
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
    document.body.style.width = '90%';
    for (let i = 0; i < 60 && strip?.getAttribute('data-columns') === before; i++) await frame();
    await frame();
    const ms = performance.now() - t0;
    document.body.style.width = '';
    return ms;
  });
  test.info().annotations.push({ type: 'overview redraw', description: `${redraw.toFixed(0)} ms` });
  expect(redraw).toBeLessThan(1000);

  // The detail starts at the beginning of the text.
  const [start0] = await detailWindow(page);
  expect(start0).toBe(0);

  // A flash chosen in the list, far into the text: the detail window moves to show it, marked.
  const flashes = page.getByTestId('flash-list').locator('button[data-token]');
  await expect(flashes.first()).toBeVisible();
  const count = await flashes.count();
  let target = flashes.first();
  let token = -1;
  for (let i = 0; i < count; i++) {
    const t = Number(await flashes.nth(i).getAttribute('data-token'));
    if (t > token) {
      token = t;
      target = flashes.nth(i);
    }
  }
  expect(token).toBeGreaterThan(1000);
  await target.click();
  await expect
    .poll(async () => {
      const [s, e] = await detailWindow(page);
      return s <= token && token < e;
    })
    .toBe(true);
  await expect(heatmap).toHaveAttribute('data-window-start', String((await detailWindow(page))[0]));
  await expect(page.getByTestId('heatmap-focus-col')).toHaveAttribute('data-token', String(token));
  await expect(page.getByTestId('heatmap-overview-focus')).toHaveAttribute('data-token', String(token));
  // ...and the text view shows the page with that token, focused.
  const text = page.getByTestId('token-text-view');
  await expect(text.locator(`[data-token="${token}"]`)).toHaveClass(/lsc-tok--focus/);

  // The cursor and tooltip work in the detail as before.
  const [start] = await detailWindow(page);
  await page.getByTestId('heatmap-grid').focus();
  await page.keyboard.press('Home');
  const tooltip = page.getByTestId('heatmap-tooltip');
  await expect(tooltip).toHaveAttribute('data-token', '0');
  // Home took the cursor to the first token: the window followed it.
  expect((await detailWindow(page))[0]).toBe(0);
  expect(start).toBeGreaterThan(0);

  // The brush on the keyboard: End goes to the text's end, + zooms in.
  const brush = page.getByTestId('heatmap-brush');
  await brush.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('heatmap-grid')).toHaveAttribute('data-window-end', String(tokens));
  const [s1, e1] = await detailWindow(page);
  await page.keyboard.press('+');
  await expect
    .poll(async () => (await detailWindow(page))[1] - (await detailWindow(page))[0])
    .toBeLessThan(e1 - s1);
  // A click on the strip's middle centres the window there.
  const box = await overview.boundingBox();
  await page.mouse.click((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + 2);
  const [s2, e2] = await detailWindow(page);
  expect(Math.abs((s2 + e2) / 2 - tokens / 2)).toBeLessThan(tokens / 50);
  // Away to the text's start (the brush's Home), then the same flash chosen again: back to it.
  await brush.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('heatmap-grid')).toHaveAttribute('data-window-start', '0');
  await target.click();
  await expect
    .poll(async () => {
      const [s, e] = await detailWindow(page);
      return s <= token && token < e;
    })
    .toBe(true);

  const axe = await new AxeBuilder({ page }).include('[data-testid="nonlinearity-heatmap"]').analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('a corpus: the heatmap and the text view show where each document starts', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'Drawing does not depend on the backend; checked on WASM.');
  // Three documents, each too long to fit beside the others: the overview strip is drawn too.
  const docs = [0, 5000, 10_000].map((at) =>
    REFERENCE.slice(at, at + 1800)
      .replace(/\n\s*\n/g, '\n')
      .trim(),
  );
  await openApp(page, backend);
  await analyze(page, docs.join('\n\n'), true);

  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('heatmap-overview-docs')).toHaveAttribute('data-count', '2');
  // The text view: a labelled break before the 2nd and 3rd documents.
  const breaks = page.getByTestId('token-text-doc-break');
  await expect(breaks).toHaveCount(2);
  await expect(breaks.nth(0)).toHaveText('text 1');
  // The first break's token, chosen in the text view, brings the detail there with its boundary line.
  const first = page.getByTestId('token-text-view').locator('.lsc-docbreak + [data-token]').first();
  const token = Number(await first.getAttribute('data-token'));
  expect(token).toBeGreaterThan(0);
  await first.click();
  const boundary = page.getByTestId('heatmap-doc-boundary');
  await expect(boundary.first()).toHaveAttribute('data-token', String(token));
});
