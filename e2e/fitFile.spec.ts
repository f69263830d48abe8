/**
 * A reference fit saved by the command line (`linscope analyze --save-fit`, made here for the
 * embedded model) opened in the page: with the page's fit cache cleared, the file is checked and
 * stored, the page says so, and the next Analyze runs no reference at all (the heatmap's place never
 * says "Fitting the reference"; in the control run without the file it does), with per-token values
 * equal, to float32 rounding, to those of a normal run (so the page's fingerprint of the weights is
 * the command line's: a fit for other weights would be made again). A fit made for other settings is refused
 * naming the part; a damaged one is refused and the page goes on.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { expect, forgetReferenceFits, openApp, test, watchErrors } from './fixtures';

const ROOT = resolve('.');
const MODEL = join(ROOT, 'public/models/linscope/tiny-gpt2');
const CORPUS = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8');
// ~300 tokens: more than d = 128.
const TEXT = CORPUS.slice(20_000, 21_400);

let work: string;
let fitPath: string;
let cliResult: LinScopeResult;

/** `linscope analyze --model <model> --text TEXT --save-fit <fit> --out <out>`, as a user runs it. */
function saveFitWithCli(model: string, fit: string, out: string) {
  return spawnSync(
    process.execPath,
    [join(ROOT, 'cli/bin.mjs'), 'analyze', '--model', model, '--text', TEXT, '--save-fit', fit, '--out', out],
    { encoding: 'utf8', cwd: ROOT, timeout: 300_000 },
  );
}

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a hook's fixtures from this pattern; it needs none.
test.beforeAll(({}, testInfo) => {
  if (testInfo.project.metadata.backend === 'webgpu') return;
  work = mkdtempSync(join(tmpdir(), 'linscope-e2e-fit-'));
  fitPath = join(work, 'tiny-gpt2.fit.safetensors');
  const out = join(work, 'cli.json');
  const r = saveFitWithCli(MODEL, fitPath, out);
  if (r.status !== 0) throw new Error(`linscope analyze --save-fit failed: ${r.stderr}`);
  cliResult = JSON.parse(readFileSync(out, 'utf8'));
});

test.afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test.beforeEach(({ backend }) => {
  test.skip(
    backend !== 'wasm',
    'The fit file is checked and stored the same way on every backend: once, on WASM.',
  );
});

/** Records every text the heatmap's place shows while the run goes on (read after it). */
const RECORDER = `(() => {
  const seen = (window.__referenceTexts = []);
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="reference-progress-text"]')?.textContent;
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/** Runs Analyze on TEXT and gives the exported result and what the heatmap's place said meanwhile. */
async function analyzeText(page: Page): Promise<{ result: LinScopeResult; referenceTexts: string[] }> {
  await page.getByTestId('prompt-input').fill(TEXT);
  await page.evaluate(RECORDER);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('results')).toHaveAttribute('data-view', 'complete');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const result: LinScopeResult = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  const referenceTexts = await page.evaluate(
    () => (window as unknown as { __referenceTexts: string[] }).__referenceTexts,
  );
  return { result, referenceTexts };
}

/** The largest |a - b| / max(|b|, floor) over two per-token matrices (null where a pair has none). */
function maxRelativeDifference(a: (number | null)[][], b: (number | null)[][], floor = 1e-3): number {
  let worst = 0;
  for (const [l, row] of b.entries()) {
    for (const [t, v] of row.entries()) {
      const w = a[l][t];
      if (v === null || w === null) {
        if (v !== w) worst = Number.POSITIVE_INFINITY;
        continue;
      }
      worst = Math.max(worst, Math.abs(w - v) / Math.max(Math.abs(v), floor));
    }
  }
  return worst;
}

test('a fit saved by the command line opens in the page, and the next Analyze runs no reference', async ({
  page,
  backend,
}) => {
  // The control run fits the reference in the page (4,096 tokens through the model): minutes on a busy machine.
  test.setTimeout(600_000);
  const errors = watchErrors(page);
  await openApp(page, backend);
  await forgetReferenceFits(page);

  // The control: a normal run, which fits the reference in the page (and says so while it does).
  const normal = await analyzeText(page);
  expect(normal.referenceTexts.some((t) => /^Fitting the reference: window \d+ of \d+$/.test(t))).toBe(true);

  // A fresh page with the fit cache cleared: the command line's fit is opened.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await forgetReferenceFits(page);
  await page.getByTestId('open-linscope-file').setInputFiles(fitPath);
  const message = page.getByTestId('link-message');
  await expect(message).toHaveAttribute('data-kind', 'notes');
  await expect(message).toContainText(
    "Reference fit loaded from tiny-gpt2.fit.safetensors: 4 layer pair maps of linscope/tiny-gpt2 (fp32) fitted on 4,096 tokens of bundled:reference-en.txt; the next analysis of linscope/tiny-gpt2 uses it instead of running the reference. It was made on cpu and the page runs wasm: the model's states differ there by rounding only.",
  );

  const loaded = await analyzeText(page);
  // No reference window ran and no map was fitted: the heatmap's place never named a window or a
  // fitted pair, and said the stored fit was used whenever it said anything before the scoring.
  expect(
    loaded.referenceTexts.filter((t) => /window|Fitting the reference|Checking the reference/.test(t)),
  ).toEqual([]);
  // The fit is the command line's, so its composition is too; the per-token values are those of a
  // normal run (and of the command line's run with the same fit) up to float32 rounding of the states.
  const perToken = loaded.result.perToken;
  const normalPerToken = normal.result.perToken;
  expect(perToken).not.toBeNull();
  expect(normalPerToken).not.toBeNull();
  if (!perToken || !normalPerToken || !cliResult.perToken) return;
  expect(perToken.reference).toEqual(cliResult.perToken.reference);
  expect(perToken.nonlinearity.length).toBe(4);
  expect(perToken.nonlinearity[0].length).toBe(normalPerToken.nonlinearity[0].length);
  // Measured: 5.5e-7 from the page's own fit, 2.7e-6 from the command line's run; every flash the same.
  expect(maxRelativeDifference(perToken.nonlinearity, normalPerToken.nonlinearity)).toBeLessThan(1e-5);
  expect(maxRelativeDifference(perToken.nonlinearity, cliResult.perToken.nonlinearity)).toBeLessThan(1e-5);
  expect(perToken.flash).toEqual(normalPerToken.flash);
  expect(loaded.result.layers.map((l) => l.linearity)).toEqual(normal.result.layers.map((l) => l.linearity));
  expect(errors).toEqual([]);
});

test('a fit made for other weights of the model (a fine-tune under its name) is refused once the model is loaded, and never used', async ({
  page,
  backend,
}) => {
  // The page fits the reference itself (4,096 tokens through the model): minutes on a busy machine.
  test.setTimeout(600_000);
  const errors = watchErrors(page);
  // The fine-tune in a folder named as the bundled model: the command line names its fit for
  // linscope/tiny-gpt2 (a folder's last two names), and records the fine-tune's weights in it.
  const folder = join(work, 'tuned', 'linscope', 'tiny-gpt2');
  cpSync(join(ROOT, 'public/models/fixtures/tiny-gpt2-finetune/step-200'), folder, { recursive: true });
  const tunedFit = join(work, 'tuned.fit.safetensors');
  const r = saveFitWithCli(folder, tunedFit, join(work, 'tuned.json'));
  expect(r.status, r.stderr).toBe(0);

  // The page loads the chosen model ahead: with it loaded, the weights are compared as the file opens.
  await openApp(page, backend, 'referenceAhead=0');
  await forgetReferenceFits(page);
  await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
    timeout: 120_000,
  });
  await page.getByTestId('open-linscope-file').setInputFiles(tunedFit);
  const message = page.getByTestId('link-message');
  await expect(message).toHaveAttribute('data-kind', 'error');
  await expect(message).toContainText(
    /tuned\.fit\.safetensors was fitted for other weights of linscope\/tiny-gpt2 \(fingerprint [0-9a-f]+; the loaded model's are [0-9a-f]+: another checkpoint or fine-tune under the same name\), so it is not used\./,
  );

  // The analysis fits the reference for these weights itself. (A file opened before the model is
  // loaded is taken, and set aside by the analysis with a notice: tests/worker/fitSetAside.test.ts.)
  const run = await analyzeText(page);
  expect(run.referenceTexts.some((t) => /^Fitting the reference: window \d+ of \d+$/.test(t))).toBe(true);
  expect(errors).toEqual([]);
});

test('a fit made for other settings, or a damaged one, is refused naming why; the page goes on', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  const message = page.getByTestId('link-message');

  // The page leaves each document's first token out; the fit was made with every position.
  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('exclude-bos').check();
  await page.getByTestId('open-linscope-file').setInputFiles(fitPath);
  await expect(message).toHaveAttribute('data-kind', 'error');
  await expect(message).toContainText(
    'tiny-gpt2.fit.safetensors was fitted with the settings all-positions|quantile 0.99, and the page has exclude-first-positions|quantile 0.99: set "Leave each document\'s first token (BOS) out" as the fit had it',
  );
  await page.getByTestId('exclude-bos').uncheck();

  // Cut in half: the header promises more than the file holds.
  const bytes = readFileSync(fitPath);
  const truncated = join(work, 'truncated.fit.safetensors');
  writeFileSync(truncated, bytes.subarray(0, bytes.byteLength >> 1));
  await page.getByTestId('open-linscope-file').setInputFiles(truncated);
  await expect(message).toHaveAttribute('data-kind', 'error');
  await expect(message).toContainText('truncated.fit.safetensors is not a LinScope fit file');

  // The page still analyses.
  await page.getByTestId('prompt-input').fill('A short text after two refused files.');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  expect(errors).toEqual([]);
});
