/**
 * The block-replacement experiment in the page (docs/permalinks.md for how it travels): blocks
 * picked on the linearity chart, linearized or skipped, the sweep; what is drawn must be the
 * numbers of the exported result JSON; Cancel, the worker's refusals and stale inputs leave the
 * page working; the experiment survives a reload and a permalink. With LINSCOPE_SCREENSHOTS=1 it
 * also remakes docs/screenshots/linearize-{sweep,run}.png.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { LinScopeResult, ResultLinearize } from '../src/job/result';
import { expect, openApp, openStories260K, test } from './fixtures';

const ROOT = resolve('.');
const SCREENSHOTS = Boolean(process.env.LINSCOPE_SCREENSHOTS);
const LAPTOP = { width: 1280, height: 900 };
const SHORT_PROMPT = 'In the beginning God created the heaven and the earth.';

test.beforeEach(({ backend }) => {
  test.skip(backend !== 'wasm', 'The experiment runs the same graph on either backend; WASM is checked.');
});

async function analyzed(page: Page): Promise<void> {
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
}

async function experimentDone(page: Page): Promise<void> {
  await expect(page.getByTestId('linearize-status')).toHaveAttribute('data-state', 'done', {
    timeout: 120_000,
  });
}

async function exported(page: Page): Promise<LinScopeResult> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8'));
}

const drawn = async (chart: Locator, selector: string) =>
  Number(await chart.locator(selector).getAttribute('data-value'));

/** Every point of the sweep figure carries the exported number; a block without a map is a gap. */
async function expectSweepShows(page: Page, linearize: ResultLinearize) {
  const sweep = linearize.sweep;
  if (!sweep) throw new Error('the exported result has no sweep');
  const chart = page.getByTestId('linearize-sweep');
  await expect(chart).toHaveAttribute('data-blocks', String(sweep.blocks.length));
  await expect(chart).toHaveAttribute('data-steps', String(sweep.cumulative.steps.length));
  for (const b of sweep.blocks) {
    expect(await drawn(chart, `[data-series="skipped"][data-block="${b.block}"][data-value]`)).toBeCloseTo(
      b.skip.lossIncrease,
      9,
    );
    if (b.linear)
      expect(
        await drawn(chart, `[data-series="linearized"][data-block="${b.block}"][data-value]`),
      ).toBeCloseTo(b.linear.lossIncrease, 9);
    else
      await expect(
        chart.locator(`[data-series="linearized"][data-block="${b.block}"][data-gap]`),
      ).toHaveCount(1);
  }
  for (const [k, step] of sweep.cumulative.steps.entries()) {
    const point = chart.locator(`[data-series="cumulative"][data-step="${k + 1}"]`);
    await expect(point).toHaveAttribute('data-block', String(sweep.cumulative.order[k]));
    expect(Number(await point.getAttribute('data-value'))).toBeCloseTo(step.lossIncrease, 9);
  }
  await expect(chart).toContainText(`cumulative order: ${sweep.cumulative.order.join(', ')}`);
}

/** The runs table and the loss-change rows carry the exported numbers. */
async function expectRunsShow(page: Page, linearize: ResultLinearize) {
  const table = page.getByTestId('linearize-runs');
  const original = table.locator('[data-run="original"]');
  expect(await drawn(original, '[data-metric="loss"]')).toBeCloseTo(linearize.original.loss, 9);
  for (const [i, run] of linearize.runs.entries()) {
    const row = table.locator(`tr[data-run="${i}"]`);
    for (const key of ['loss', 'perplexity', 'lossIncrease', 'top1Changed', 'kl'] as const)
      expect(await drawn(row, `[data-metric="${key}"]`)).toBeCloseTo(run[key], 9);
    const tokens = page.locator(`[data-testid="linearize-loss-row"][data-run="${i}"] [data-token]`);
    const values = await tokens.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-value')));
    expect(values.map((v) => (v === '' ? null : Number(v)))).toEqual(run.lossDelta);
  }
}

test('the sweep on the embedded model draws the exported numbers, and survives a reload and a link', async ({
  page,
  backend,
}) => {
  await page.setViewportSize(LAPTOP);
  await openApp(page, backend);
  await analyzed(page);
  await page.getByTestId('run-sweep').click();
  await experimentDone(page);
  const result = await exported(page);
  const linearize = result.linearize!;
  expect(linearize.maps).toMatchObject({ source: 'reference', inSample: false });
  expect(linearize.sweep?.blocks).toHaveLength(4);
  expect(linearize.sweep?.cumulative.order).toHaveLength(4);
  await expectSweepShows(page, linearize);
  await expect(page.getByTestId('linearize-maps')).toHaveAttribute('data-in-sample', 'false');
  // The sweep's exports: CSV with one row per block, the figure as SVG and PNG.
  const saved = async (id: string) => {
    const download = page.waitForEvent('download');
    await page.getByTestId(`linearize-sweep-export-${id}`).click();
    return readFileSync(await (await download).path());
  };
  expect((await saved('csv')).toString('utf8').trim().split('\r\n')).toHaveLength(5);
  expect((await saved('svg')).toString('utf8')).toContain('Blocks linearized one after another');
  expect((await saved('png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  if (SCREENSHOTS) {
    await page.mouse.move(0, 0);
    await page.getByTestId('linearize-sweep').screenshot({ path: 'docs/screenshots/linearize-sweep.png' });
  }

  // Kept in the result: a reload restores it from the Recent list, a link carries it (float32).
  await page.getByTestId('share-button').click();
  await expect(page.getByTestId('share-link')).toHaveAttribute('data-experiment', '');
  const url = await page.getByTestId('share-link').inputValue();
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'recent');
  await expectSweepShows(page, linearize);
  await page.goto(`./?backend=${backend}${url.slice(url.indexOf('#'))}`);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'link');
  await expect(page.getByTestId('linearize-sweep')).toHaveAttribute('data-steps', '4');
  const restored = await exported(page);
  const skip0 = restored.linearize?.sweep?.blocks[0].skip.lossIncrease ?? Number.NaN;
  expect(Math.abs(skip0 - linearize.sweep!.blocks[0].skip.lossIncrease)).toBeLessThan(1e-6);
});

test('blocks picked by shift-click are linearized: the table and the loss-change row show the result', async ({
  page,
  backend,
}) => {
  await page.setViewportSize(LAPTOP);
  await openApp(page, backend);
  await analyzed(page);
  const targets = page.getByTestId('linearity-target');
  await targets.nth(1).click({ modifiers: ['Shift'] });
  await targets.nth(2).click({ modifiers: ['Shift'] });
  await targets.nth(3).click({ modifiers: ['Shift'] });
  await targets.nth(3).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('linearity-chart')).toHaveAttribute('data-selected', '1,2');
  await expect(page.getByTestId('linearize-block-1')).toBeChecked();
  await expect(page.getByTestId('linearize-block-3')).not.toBeChecked();
  // A plain click still focuses the pair and leaves the picks alone.
  await targets.nth(0).click();
  await expect(page.getByTestId('linearity-chart')).toHaveAttribute('data-selected', '1,2');
  await page.getByTestId('linearize-selected').click();
  await expect(page.getByTestId('linearize-progress')).toBeVisible();
  await experimentDone(page);
  const linearize = (await exported(page)).linearize!;
  expect(linearize.runs.map((r) => [r.linear, r.skip])).toEqual([[[1, 2], []]]);
  expect(linearize.runs[0].continuation?.length).toBeGreaterThan(0);
  await expectRunsShow(page, linearize);
  await expect(page.locator('[data-testid="linearize-runs"] tr[data-run="0"] th')).toHaveText(
    'Blocks 1 and 2 linearized',
  );
  await expect(page.getByTestId('linearize-continuation')).toHaveCount(2);

  // Skipping block 3 adds a run beside the first.
  await page.getByTestId('linearize-block-1').uncheck();
  await page.getByTestId('linearize-block-2').uncheck();
  await page.getByTestId('linearize-block-3').check();
  await page.getByTestId('skip-selected').click();
  await experimentDone(page);
  const both = (await exported(page)).linearize!;
  expect(both.runs.map((r) => [r.linear, r.skip])).toEqual([
    [[1, 2], []],
    [[], [3]],
  ]);
  await expectRunsShow(page, both);
  if (SCREENSHOTS) {
    await page.mouse.move(0, 0);
    await page.getByTestId('linearize-results').screenshot({ path: 'docs/screenshots/linearize-run.png' });
  }
});

test('a sweep can be cancelled, and the page keeps working', async ({ page, backend }) => {
  await openApp(page, backend);
  await analyzed(page);
  // Long continuations keep the experiment running long enough to cancel it midway.
  await page.getByTestId('linearize-continuation-tokens').fill('64');
  await page.getByTestId('run-sweep').click();
  await expect(page.getByTestId('linearize-status')).toContainText('blocks replaced', { timeout: 60_000 });
  await page.getByTestId('linearize-cancel').click();
  await expect(page.getByTestId('linearize-status')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('linearize-results')).toHaveCount(0);
  await expect(page.getByTestId('linearize-error')).toHaveCount(0);
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
  await page.getByTestId('linearize-continuation-tokens').fill('0');
  await page.getByTestId('linearize-block-0').check();
  await page.getByTestId('skip-selected').click();
  await experimentDone(page);
  await expect(page.locator('[data-testid="linearize-runs"] tr[data-run="0"]')).toBeVisible();
});

test('maps fitted on a too-short text: the worker’s message is shown and nothing else changes', async ({
  page,
  backend,
}) => {
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill(SHORT_PROMPT);
  await analyzed(page);
  await page.getByTestId('linearize-maps-select').selectOption('self');
  await page.getByTestId('linearize-block-1').check();
  await page.getByTestId('linearize-selected').click();
  await expect(page.getByTestId('linearize-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('linearize-error')).toContainText(
    'Block 1 has no map to replace it with (n <= d',
  );
  await expect(page.getByTestId('linearize-error')).toContainText('more tokens than the hidden size');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('linearity-chart')).toBeVisible();

  // Skipping needs no map; then a stale text is refused before anything runs.
  await page.getByTestId('skip-selected').click();
  await experimentDone(page);
  await expect(page.getByTestId('linearize-maps')).toHaveAttribute('data-in-sample', 'true');
  await page.getByTestId('prompt-input').fill(`${SHORT_PROMPT} And the earth was without form.`);
  await page.getByTestId('linearize-selected').click();
  await expect(page.getByTestId('linearize-error')).toContainText(
    'The text changed since the result on screen',
  );
  await expect(page.locator('[data-testid="linearize-runs"] tr[data-run="0"]')).toBeVisible();
});

test('stories260K, converted in the page: the sweep draws the exported numbers', async ({
  page,
  backend,
}) => {
  const reference = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/stories260k/reference.json'), 'utf8'));
  await openApp(page, backend);
  await openStories260K(page);
  await page.getByTestId('prompt-input').fill(reference.prompt.text);
  await analyzed(page);
  await page.getByTestId('run-sweep').click();
  await experimentDone(page);
  const result = await exported(page);
  expect(result.model.id).toBe('local/stories260K');
  expect(result.linearize?.sweep?.blocks).toHaveLength(result.model.layers);
  await expectSweepShows(page, result.linearize!);
});
