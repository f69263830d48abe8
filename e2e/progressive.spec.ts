/**
 * Progressive results on the embedded model, with the reference fit not cached (the `linscope`
 * IndexedDB database deleted first, and `?referenceAhead=0` so that the page does not fit it while
 * the text is written): the first view (in-sample and split scores, companions, logit lens, text) is
 * up while the heatmap's place says where the reference fit is; then the heatmap, while the fit is
 * checked on held-out reference text; then the calibration with it. Cancelling during
 * the reference fit leaves the first view on a usable page. Then the reference fitted ahead: Analyze
 * after it runs no reference work; Analyze during it gets its first view, then waits for that fit;
 * Stop leaves the fit to Analyze; Settings turns fitting ahead off, and the page remembers it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, forgetReferenceFits, openApp, test } from './fixtures';

const ROOT = resolve('.');
const CORPUS = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8');
// ~300 tokens: more than d = 128, so the first view has in-sample scores.
const TEXT = CORPUS.slice(20_000, 21_400);
const PAIRS = 4;

/**
 * Records, on every DOM change, which view the results column shows and the heatmap's state, so
 * that the order of states is read afterwards without racing the page.
 */
const RECORDER = `(() => {
  const seen = (window.__views = []);
  const check = () => {
    const view = document.querySelector('[data-testid="live-results"], [data-testid="results"]');
    const heatmap = document.querySelector('[data-testid="nonlinearity-heatmap"]');
    const entry = {
      view: view ? view.getAttribute('data-testid') + ':' + (view.getAttribute('data-view') || 'pairs') : 'none',
      heatmap: heatmap ? heatmap.getAttribute('data-state') : 'none',
      inSamplePoints: document.querySelectorAll('[data-testid="linearity-chart"] [data-series="linearity"][data-value]').length,
      lens: document.querySelector('[data-testid="logit-lens"]') !== null,
      referenceText: document.querySelector('[data-testid="reference-progress-text"]')?.textContent ?? null,
      status: document.querySelector('[data-testid="status"]')?.getAttribute('data-state'),
    };
    const last = seen[seen.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(entry)) seen.push(entry);
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

interface ViewEntry {
  view: string;
  heatmap: string;
  inSamplePoints: number;
  lens: boolean;
  referenceText: string | null;
  status: string;
}

test('the first view comes before the reference, then the heatmap; after a reload the fit is not run again', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'The order of results does not depend on the backend.');
  await openApp(page, backend, 'referenceAhead=0');
  await forgetReferenceFits(page);
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  const seen = (await page.evaluate(() => (window as unknown as { __views: ViewEntry[] }).__views)) ?? [];
  const firstView = seen.findIndex((e) => e.view === 'live-results:first-view');
  const complete = seen.findIndex((e) => e.view === 'results:complete' && e.heatmap === 'ready');
  expect(firstView).toBeGreaterThanOrEqual(0);
  expect(complete).toBeGreaterThan(firstView);
  // The first view: every in-sample point and the logit lens, the heatmap not ready but saying
  // where the reference fit is, while the run is running.
  const first = seen[firstView];
  expect(first).toMatchObject({ heatmap: 'pending', inSamplePoints: PAIRS, lens: true, status: 'running' });
  // Then the reference view: the heatmap, while the fit is checked on held-out reference text.
  const referenceView = seen.findIndex((e) => e.view === 'live-results:reference-view');
  expect(referenceView).toBeGreaterThan(firstView);
  expect(complete).toBeGreaterThan(referenceView);
  expect(seen[referenceView]).toMatchObject({ heatmap: 'ready', inSamplePoints: PAIRS, status: 'running' });
  const referenceTexts = seen.slice(firstView, referenceView).map((e) => e.referenceText ?? '');
  expect(referenceTexts.some((t) => /^Fitting the reference: window \d+ of \d+$/.test(t))).toBe(true);
  expect(seen.slice(firstView, referenceView).every((e) => e.heatmap !== 'ready')).toBe(true);
  const checkTexts = seen.slice(referenceView, complete).map((e) => e.referenceText ?? '');
  expect(
    checkTexts.some((t) => /^Checking the reference fit on held-out text: window \d+ of \d+$/.test(t)),
  ).toBe(true);
  await expect(page.getByTestId('results')).toHaveAttribute('data-view', 'complete');

  // After a reload the fit comes from IndexedDB: the reference is not run again.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  const again = (await page.evaluate(() => (window as unknown as { __views: ViewEntry[] }).__views)) ?? [];
  expect(again.some((e) => /window/.test(e.referenceText ?? ''))).toBe(false);
});

test('cancelling during the reference fit keeps the first view on a usable page', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Cancelling does not depend on the backend.');
  // 64 reference tokens per dimension (8,192 for d = 128: some 40 windows) so the fit lasts long enough
  // to act on; the test waits for the reference's forward pass to be under way, then cancels.
  await openApp(page, backend, 'referenceTokensPerDim=64&referenceAhead=0');
  await forgetReferenceFits(page);
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.getByTestId('analyze-button').click();
  const live = page.getByTestId('live-results');
  await expect(live).toHaveAttribute('data-view', 'first-view', { timeout: 120_000 });
  await expect(page.getByTestId('reference-progress-text')).toHaveText(
    /^Fitting the reference: window \d+ of \d+$/,
  );
  // The first view's exports: the charts' own, not the result JSON (disabled, with the reason).
  await expect(live.getByTestId('export-json')).toBeDisabled();
  await expect(live.getByTestId('export-json-disabled')).toContainText('once the reference part is in');
  const inSample = await live
    .locator('[data-testid="linearity-chart"] [data-series="linearity"][data-value]')
    .evaluateAll((points) => points.map((p) => Number(p.getAttribute('data-value'))));
  expect(inSample).toHaveLength(PAIRS);
  await page.getByTestId('cancel-button').click();

  // Not running any more; the first view is still there, marked as without the reference.
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-view', 'first-view');
  await expect(results.getByTestId('without-reference-note')).toContainText('without the reference');
  await expect(page.getByTestId('nonlinearity-heatmap')).not.toHaveAttribute('data-state', 'ready');
  const kept = await results
    .locator('[data-testid="linearity-chart"] [data-series="linearity"][data-value]')
    .evaluateAll((points) => points.map((p) => Number(p.getAttribute('data-value'))));
  expect(kept).toEqual(inSample);
  for (const v of kept) expect(v).toBeGreaterThan(0.5);
  await expect(results.getByTestId('logit-lens')).toBeVisible();
  await expect(results.getByTestId('export-json')).toBeDisabled();
  // The page is usable: Analyze runs again, and this time to the end.
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('results')).toHaveAttribute('data-view', 'complete');
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('results').getByTestId('export-json')).toBeEnabled();
});

/** The views recorded by `RECORDER` since it was installed. */
async function recordedViews(page: import('@playwright/test').Page): Promise<ViewEntry[]> {
  return (await page.evaluate(() => (window as unknown as { __views: ViewEntry[] }).__views)) ?? [];
}

test('the reference is fitted while the text is written; Analyze then runs no reference work, also after a reload', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Fitting ahead does not depend on the backend.');
  await openApp(page, backend);
  const ahead = page.getByTestId('reference-ahead');
  await expect(ahead).toHaveAttribute('data-state', 'fitting', { timeout: 60_000 });
  await expect(page.getByTestId('reference-ahead-text')).toContainText(
    'Fitting the reference in the background, so that Analyze shows every result at once',
  );
  await expect(ahead).toHaveAttribute('data-state', 'fitted', { timeout: 120_000 });
  await expect(page.getByTestId('reference-ahead-text')).toHaveText(
    'Reference fitted: Analyze needs no reference work.',
  );
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('results')).toHaveAttribute('data-view', 'complete');
  const seen = await recordedViews(page);
  expect(seen.filter((e) => /window|Fitting|Checking/.test(e.referenceText ?? ''))).toEqual([]);

  // The fit was stored: after a reload the page finds it at once.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await expect(ahead).toHaveAttribute('data-state', 'fitted', { timeout: 60_000 });
});

test('Analyze pressed while the reference is fitted ahead shows its first view, then waits for that fit; Stop leaves the fit to Analyze', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Fitting ahead does not depend on the backend.');
  // 64 reference tokens per dimension (some 40 windows): long enough to press Analyze during it.
  await openApp(page, backend, 'referenceTokensPerDim=64');
  const aheadText = page.getByTestId('reference-ahead-text');
  await expect(aheadText).toHaveText(/: window ([2-9]|\d\d+) of \d+…$/, { timeout: 60_000 });
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const seen = await recordedViews(page);
  const firstView = seen.findIndex((e) => e.view === 'live-results:first-view');
  const complete = seen.findIndex((e) => e.view === 'results:complete' && e.heatmap === 'ready');
  expect(firstView).toBeGreaterThanOrEqual(0);
  expect(complete).toBeGreaterThan(firstView);
  // The run showed the windows of the fit made ahead, which was past its first window when it joined.
  const windows = seen
    .slice(firstView, complete)
    .flatMap(
      (e) => /^Fitting the reference: window (\d+) of \d+$/.exec(e.referenceText ?? '')?.slice(1) ?? [],
    )
    .map(Number);
  expect(windows.length).toBeGreaterThan(0);
  expect(Math.min(...windows)).toBeGreaterThan(1);
  await expect(page.getByTestId('reference-ahead')).toHaveAttribute('data-state', 'fitted');

  // Another reference size: a new fit ahead starts, and Stop stops it; Analyze then fits it itself.
  await openApp(page, backend, 'referenceTokensPerDim=48');
  await expect(aheadText).toHaveText(/: window \d+ of \d+…$/, { timeout: 60_000 });
  await page.getByTestId('reference-ahead-stop').click();
  await expect(page.getByTestId('reference-ahead')).toHaveAttribute('data-state', 'stopped');
  await expect(aheadText).toHaveText('Reference fit stopped: Analyze will fit it.');
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const again = await recordedViews(page);
  expect(again.some((e) => /^Fitting the reference: window 1 of \d+$/.test(e.referenceText ?? ''))).toBe(
    true,
  );
});

test('fitting ahead can be turned off in Settings: a fit under way stops, and it stays off after a reload', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Fitting ahead does not depend on the backend.');
  // 64 reference tokens per dimension: a fit that lasts long enough to turn off while it runs.
  await openApp(page, backend, 'referenceTokensPerDim=64');
  await forgetReferenceFits(page);
  const ahead = page.getByTestId('reference-ahead');
  await expect(ahead).toHaveAttribute('data-state', 'fitting', { timeout: 60_000 });
  await page.getByText('Settings').click();
  const box = page.getByTestId('fit-ahead');
  await expect(box).toBeChecked();
  await box.uncheck();
  await expect(ahead).toHaveCount(0);

  // Remembered: after a reload the model is loaded ahead, and no fit starts.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await page.waitForTimeout(5_000);
  await expect(ahead).toHaveCount(0);
  await page.getByText('Settings').click();
  await expect(box).not.toBeChecked();
  // Turned on again: the fit starts.
  await box.check();
  await expect(ahead).toHaveAttribute('data-state', 'fitting', { timeout: 30_000 });
});
