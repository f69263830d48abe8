/**
 * The compare view end to end (docs/compare.md): result files made by the CLI
 * (tests/fixtures/compare/make.sh) side by side; the plotted differences are the JSON files'
 * differences; hovering one heatmap moves the cursor in the others; a compare link restores the
 * view; bad files say what is wrong and lose nothing. No model runs, so only the wasm project runs it.
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { expect, openApp, test, watchErrors } from './fixtures';

const DIR = 'tests/fixtures/compare';
const FILES = ['tiny-gpt2-fp32.json', 'tiny-gpt2-q8.json', 'tiny-gpt2-hacker.json', 'tiny-random-gpt2.json'];
const load = (name: string): LinScopeResult => JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8'));
const [fp32, q8, hacker, random] = FILES.map(load);
const SERIES = ['linearity', 'linearityNoResidual'] as const;

/** The differences table's value for entry, score and baseline pair. */
async function shownDifference(page: Page, entry: number, series: string, layer: number): Promise<number> {
  const cell = page.locator(
    `[data-testid="compare-difference"][data-entry="${entry}"][data-series="${series}"][data-layer="${layer}"]`,
  );
  return Number(await cell.getAttribute('data-value'));
}

async function hoverCell(page: Page, entry: number, layer: number, token: number): Promise<void> {
  const grid = page.locator(
    `[data-testid="compare-heatmap"][data-entry="${entry}"] [data-testid="compare-heatmap-grid"]`,
  );
  await grid.scrollIntoViewIfNeeded();
  const w = Number(await grid.getAttribute('data-cell-width'));
  const h = Number(await grid.getAttribute('data-cell-height'));
  await grid.hover({ position: { x: (token + 0.5) * w, y: (layer + 0.5) * h } });
}

const cursorOf = (page: Page, entry: number) =>
  page.locator(
    `[data-testid="compare-heatmap"][data-entry="${entry}"] [data-testid="compare-heatmap-cursor"]`,
  );

test.beforeEach(({ backend }) => {
  test.skip(backend === 'webgpu', 'The compare view runs no model: the wasm project covers it.');
});

test('compare: differences are the files’ differences, heatmaps hover together, the series and the link', async ({
  page,
  backend,
  browser,
  baseURL,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  const view = page.getByTestId('compare-view');
  await page.getByTestId('compare-file-input').setInputFiles(FILES.map((f) => `${DIR}/${f}`));
  await expect(view).toHaveAttribute('data-count', '4');
  await expect(page.getByTestId('compare-label').first()).toHaveValue(
    /^tiny-gpt2 · fp32 · “In the beginning/,
  );

  // Same depth: B − A pair by pair, exactly the JSON numbers' difference.
  for (const [entry, other] of [
    [1, q8],
    [2, hacker],
  ] as const)
    for (const series of SERIES)
      for (let l = 0; l < 4; l++) {
        const expected = (other.layers[l][series] as number) - (fp32.layers[l][series] as number);
        expect(await shownDifference(page, entry, series, l)).toBe(expected);
      }
  // 2 pairs (depths 0.25, 0.75) read at the 4-pair baseline's depths 0.125, 0.375, 0.625, 0.875.
  for (const series of SERIES) {
    const [r0, r1] = random.layers.map((x) => x[series] as number);
    const atDepth = [r0, r0 + 0.25 * (r1 - r0), r0 + 0.75 * (r1 - r0), r1];
    for (let l = 0; l < 4; l++)
      expect(await shownDifference(page, 3, series, l)).toBeCloseTo(
        atDepth[l] - (fp32.layers[l][series] as number),
        12,
      );
  }
  // The chart plots the same numbers as the table, with their sign.
  const point = page.locator(
    '[data-testid="compare-difference-point"][data-entry="1"][data-series="linearity"][data-layer="0"]',
  );
  const d0 = (q8.layers[0].linearity as number) - (fp32.layers[0].linearity as number);
  await expect(point).toHaveAttribute('data-value', String(d0));
  await expect(point).toHaveAttribute('data-sign', d0 > 0 ? '+' : '-');
  await expect(page.getByTestId('compare-match').last()).toContainText('interpolated');

  // Synchronised hover: same tokens (fp32, q8) match token for token; the other text by position;
  // the 2-pair model at the nearest depth (pair 2 of 4 sits at 0.625, nearest to its pair 1 at 0.75).
  await expect(page.getByTestId('compare-sync-note').nth(0)).toHaveAttribute('data-kind', 'same-tokens');
  await expect(page.getByTestId('compare-sync-note').nth(1)).toHaveAttribute('data-kind', 'by-position');
  await expect(page.getByTestId('compare-sync-note').nth(1)).toContainText('188 vs 177 tokens');
  await hoverCell(page, 0, 2, 5);
  await expect(cursorOf(page, 0)).toHaveAttribute('data-source', 'hovered');
  await expect(cursorOf(page, 0)).toHaveAttribute('data-layer', '2');
  await expect(cursorOf(page, 0)).toHaveAttribute('data-token', '5');
  for (const entry of [1, 2]) {
    await expect(cursorOf(page, entry)).toHaveAttribute('data-source', 'synced');
    await expect(cursorOf(page, entry)).toHaveAttribute('data-layer', '2');
    await expect(cursorOf(page, entry)).toHaveAttribute('data-token', '5');
  }
  await expect(cursorOf(page, 3)).toHaveAttribute('data-layer', '1');
  await expect(cursorOf(page, 3)).toHaveAttribute('data-token', '5');
  const readout = page.locator(
    '[data-testid="compare-heatmap"][data-entry="1"] [data-testid="compare-heatmap-readout"]',
  );
  await expect(readout).toHaveAttribute('data-value', String(q8.perToken?.nonlinearity[2][5]));
  // Hovering in another heatmap drives the first.
  await hoverCell(page, 1, 3, 7);
  await expect(cursorOf(page, 0)).toHaveAttribute('data-layer', '3');
  await expect(cursorOf(page, 0)).toHaveAttribute('data-token', '7');

  // The populated view passes the accessibility check the explorer's page passes.
  const axe = await new AxeBuilder({ page }).include('[data-testid="compare-view"]').analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // A series of mixed architectures is refused; nothing is lost.
  await expect(page.getByTestId('series-chart')).toHaveAttribute('data-state', 'refused');
  await expect(page.getByTestId('series-message')).toContainText('has 2 layers of width 64');
  await expect(view).toHaveAttribute('data-count', '4');
  await page.getByTestId('compare-remove').nth(3).click();
  await expect(view).toHaveAttribute('data-count', '3');
  await expect(page.getByTestId('series-chart')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('compare-label').nth(0).fill('step 1k');
  await page.getByTestId('compare-label').nth(1).fill('step 10k');
  await page.getByTestId('compare-label').nth(2).fill('step 100k');
  const seriesPoints = page.getByTestId('series-point');
  await expect(seriesPoints).toHaveCount(12);
  for (const [entry, r] of [fp32, q8, hacker].entries())
    for (let l = 0; l < 4; l++)
      await expect(
        page.locator(`[data-testid="series-point"][data-entry="${entry}"][data-layer="${l}"]`),
      ).toHaveAttribute('data-value', String(r.layers[l].linearity));

  // The link restores the view in a fresh browser: labels, order and differences (float32 storage).
  await page.getByTestId('compare-share-button').click();
  const link = await page.getByTestId('compare-share-link').inputValue();
  await expect(page.getByTestId('compare-share-link')).toHaveAttribute('data-contents', 'per-token');
  expect(link).toContain('#lsc1.');
  const context = await browser.newContext({ baseURL });
  try {
    const fresh = await context.newPage();
    const freshErrors = watchErrors(fresh);
    await fresh.goto(link);
    await expect(fresh.getByTestId('compare-view')).toHaveAttribute('data-count', '3');
    for (const [i, label] of ['step 1k', 'step 10k', 'step 100k'].entries())
      await expect(fresh.getByTestId('compare-label').nth(i)).toHaveValue(label);
    await expect(fresh.getByTestId('compare-message')).toContainText('Restored from a compare link');
    await expect(fresh.getByTestId('link-message')).toHaveCount(0);
    for (const series of SERIES)
      for (let l = 0; l < 4; l++) {
        const expected = (hacker.layers[l][series] as number) - (fp32.layers[l][series] as number);
        expect(Math.abs((await shownDifference(fresh, 2, series, l)) - expected)).toBeLessThan(1e-6);
      }
    await expect(fresh.getByTestId('compare-heatmap')).toHaveCount(3);
    expect(freshErrors).toEqual([]);
  } finally {
    await context.close();
  }
  expect(errors).toEqual([]);
});

test('compare: bad files say what is wrong, keep what is compared; a shown result and a reduced one join', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  const view = page.getByTestId('compare-view');
  // A result opened in the page joins with "Add to compare".
  await page.getByTestId('open-linscope-file').setInputFiles(`${DIR}/tiny-gpt2-fp32.json`);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
  await page.getByTestId('compare-add-shown').click();
  await expect(view).toHaveAttribute('data-count', '1');

  const full = readFileSync(`${DIR}/tiny-gpt2-q8.json`, 'utf8');
  const damaged = JSON.parse(full);
  damaged.layers[2].linearity = 'very';
  await page.getByTestId('compare-file-input').setInputFiles([
    { name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from(full.slice(0, 4000)) },
    { name: 'package.json', mimeType: 'application/json', buffer: Buffer.from('{"name":"linscope"}') },
    { name: 'damaged.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(damaged)) },
  ]);
  const message = page.getByTestId('compare-message');
  await expect(message).toHaveAttribute('data-kind', 'error');
  await expect(message).toContainText('“cut.json” is not valid JSON: it may have been cut short');
  await expect(message).toContainText('“package.json” is JSON but not a LinScope result');
  await expect(message).toContainText('“damaged.json” cannot be compared');
  await expect(message).toContainText("a layer's linearity is not a number");
  await expect(message).toContainText('The results already compared are kept.');
  await expect(view).toHaveAttribute('data-count', '1');

  // A reduced result (linscope reduce) compares per layer, and says why it has no heatmap.
  await page.getByTestId('compare-file-input').setInputFiles(`${DIR}/tiny-gpt2-reduced.json`);
  await expect(view).toHaveAttribute('data-count', '2');
  await expect(page.getByTestId('compare-message')).toHaveCount(0);
  await expect(page.getByTestId('compare-heatmap-absent')).toContainText('linscope reduce');
  await expect(page.getByTestId('compare-sync-note')).toHaveAttribute('data-kind', 'none');
  const reduced = load('tiny-gpt2-reduced.json');
  expect(await shownDifference(page, 1, 'linearity', 1)).toBe(
    (reduced.layers[1].linearity as number) - (fp32.layers[1].linearity as number),
  );

  // A broken compare link says so; what is compared stays.
  await page.evaluate(() => {
    window.location.hash = '#lsc1.AAAA';
  });
  await expect(page.getByTestId('compare-message')).toHaveAttribute('data-kind', 'error');
  await expect(page.getByTestId('compare-message')).toContainText('compare link');
  await expect(view).toHaveAttribute('data-count', '2');
  // The page's own link box (here: the notes of the file opened above) is not told about it.
  await expect(page.getByTestId('link-message')).toHaveAttribute('data-kind', 'notes');
  expect(errors).toEqual([]);
});

test('compare: the fine-tune’s checkpoints as a series and base vs fine-tuned, from the CLI’s files', async ({
  page,
  backend,
}) => {
  // tests/fixtures/compare/finetune (tools/finetune-compare.mjs): the embedded model and three
  // checkpoints of its fine-tune on children's stories, each analysed by the CLI on held-out stories.
  const index: { runs: { file: string; text: string; step: number }[] } = JSON.parse(
    readFileSync(`${DIR}/finetune/index.json`, 'utf8'),
  );
  const runs = index.runs.filter((r) => r.text === 'stories').sort((a, b) => a.step - b.step);
  expect(runs.map((r) => r.step)).toEqual([0, 8, 40, 200]);
  const results = runs.map((r) => load(`finetune/${r.file}`));
  const errors = watchErrors(page);
  await openApp(page, backend);
  const view = page.getByTestId('compare-view');
  await page.getByTestId('compare-file-input').setInputFiles(runs.map((r) => `${DIR}/finetune/${r.file}`));
  await expect(view).toHaveAttribute('data-count', '4');

  // One architecture: the series is drawn, one point per checkpoint and block, the files' values.
  await expect(page.getByTestId('series-chart')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('series-point')).toHaveCount(4 * 4);
  for (const [entry, r] of results.entries())
    for (let l = 0; l < 4; l++)
      await expect(
        page.locator(`[data-testid="series-point"][data-entry="${entry}"][data-layer="${l}"]`),
      ).toHaveAttribute('data-value', String(r.layers[l].linearity));

  // Base vs each checkpoint, pair by pair: the JSONs' own differences (same text, same tokens).
  for (let entry = 1; entry < results.length; entry++)
    for (const series of SERIES)
      for (let l = 0; l < 4; l++)
        expect(await shownDifference(page, entry, series, l)).toBe(
          (results[entry].layers[l][series] as number) - (results[0].layers[l][series] as number),
        );
  // The fine-tune kept the base's tokenizer: the heatmaps match token for token.
  await expect(page.getByTestId('compare-sync-note')).toHaveCount(3);
  for (const note of await page.getByTestId('compare-sync-note').all())
    await expect(note).toHaveAttribute('data-kind', 'same-tokens');
  expect(errors).toEqual([]);
});

test('compare: a recent analysis joins from the list, with the numbers of the run it was', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(
    page,
    backend,
    `prompt=${encodeURIComponent(hacker.tokens.map((t) => t.text).join(''))}&run=1`,
  );
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const ran: LinScopeResult = JSON.parse(readFileSync((await (await download).path()) ?? '', 'utf8'));

  // The run was remembered; the compare view offers it, and adds it without the page's result changing.
  const recent = page.getByTestId('compare-recent-select');
  await expect(recent.locator('option')).toHaveCount(2);
  const value = await recent.locator('option').nth(1).getAttribute('value');
  await recent.selectOption(value ?? '');
  const view = page.getByTestId('compare-view');
  await expect(view).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('compare-label').first()).toHaveValue(/^tiny-gpt2 · fp32 · /);
  // With the CLI's file of the same text beside it: the same tokens, and differences of the two.
  await page.getByTestId('compare-file-input').setInputFiles(`${DIR}/tiny-gpt2-hacker.json`);
  await expect(view).toHaveAttribute('data-count', '2');
  await expect(page.getByTestId('compare-sync-note')).toHaveAttribute('data-kind', 'same-tokens');
  for (let l = 0; l < 4; l++)
    expect(await shownDifference(page, 1, 'linearity', l)).toBe(
      (hacker.layers[l].linearity as number) - (ran.layers[l].linearity as number),
    );
  expect(errors).toEqual([]);
});
