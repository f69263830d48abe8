/**
 * What a user does in the explorer, on the embedded default model: type or upload text, analyse,
 * read the charts. The charts must show the numbers of the result JSON the page exports, and that
 * JSON must agree with the command line's for the same model and text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { tokenLabel } from '../src/ui/charts/tokenLabel';
import { expect, forgetReferenceFits, openApp, serveFakeHub, test } from './fixtures';

const ROOT = resolve('.');
const DEFAULT_MODEL = join(ROOT, 'public/models/linscope/tiny-gpt2');
const PROMPT =
  'Hackers love to read the manual, but only after the program has crashed twice. ' +
  'And the LORD spake unto the people, saying, Let the machines rest upon the seventh day. ' +
  'A kludge is a clever programming trick intended to solve a particular nasty case in an expedient way.';

async function analyzed(page: Page): Promise<LinScopeResult> {
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8'));
}

/** The drawn chart carries the JSON's numbers, point by point and cell by cell. */
async function expectChartsShow(page: Page, result: LinScopeResult) {
  const chart = page.getByTestId('linearity-chart');
  await expect(chart).toBeVisible();
  const series = [
    ['linearity', (l: LinScopeResult['layers'][number]) => l.linearity],
    ['linearityNoResidual', (l: LinScopeResult['layers'][number]) => l.linearityNoResidual],
    ['heldOut', (l: LinScopeResult['layers'][number]) => l.heldOut?.linearity ?? null],
  ] as const;
  for (const [name, value] of series) {
    const expected = result.layers.map(value);
    const points = chart.locator(`[data-series="${name}"][data-value]`);
    await expect(points).toHaveCount(expected.filter((v) => v !== null).length);
    for (const [l, v] of expected.entries()) {
      if (v === null) continue;
      const drawn = Number(
        await chart
          .locator(`[data-series="${name}"][data-layer="${l}"][data-value]`)
          .getAttribute('data-value'),
      );
      expect(drawn).toBeCloseTo(v, 10);
    }
  }
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  await expect(heatmap).toHaveAttribute('data-rows', String(result.layers.length));
  await expect(heatmap).toHaveAttribute('data-cols', String(result.tokens.length));
  const values = (result.perToken?.nonlinearity ?? []).flat().filter((v): v is number => v !== null);
  expect(Number(await heatmap.getAttribute('data-max-value'))).toBeCloseTo(Math.max(...values), 6);
  // Hover a cell: the tooltip names that cell's token and value.
  const grid = page.getByTestId('heatmap-grid');
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  const tooltip = page.getByTestId('heatmap-tooltip');
  await expect(tooltip).toBeVisible();
  const layer = Number(await tooltip.getAttribute('data-layer'));
  const token = Number(await tooltip.getAttribute('data-token'));
  const value = result.perToken?.nonlinearity[layer][token] ?? null;
  expect(Number(await tooltip.getAttribute('data-value'))).toBeCloseTo(value ?? Number.NaN, 6);
}

test('a typed prompt on the embedded model: charts show the exported numbers, which match the CLI', async ({
  page,
  backend,
}) => {
  await openApp(page, backend);
  await expect(page.getByTestId('model-select')).toHaveValue('linscope/tiny-gpt2');
  await page.getByTestId('prompt-input').fill(PROMPT);
  await expect(page.getByTestId('token-count')).toContainText('tokens · context 256');
  await page.getByTestId('analyze-button').click();
  const result = await analyzed(page);
  expect(result.schema).toBe('linscope.result/v1');
  expect(result.model).toMatchObject({ id: 'linscope/tiny-gpt2', layers: 4, hidden: 128, dtype: 'fp32' });
  // The backend it ran on, as the badge shows it (WebGPU names its adapter).
  const badge = page.getByTestId('backend');
  expect(result.runtime?.backend).toBe(await badge.getAttribute('data-backend'));
  expect(result.runtime?.backend).toBe(backend);
  expect(result.runtime?.onnxruntime).toMatch(/^\d+\.\d+/);
  if (backend === 'webgpu')
    expect((await badge.textContent()) ?? '').toContain(result.runtime?.adapter ?? '(none)');
  else expect(result.runtime?.adapter).toBeNull();
  expect(result.tokens.map((t) => t.text).join('')).toBe(PROMPT);
  await expectChartsShow(page, result);

  // Every table export has its own file name and starts with its header, no byte-order mark.
  const tables = new Map<string, string>();
  for (const button of [
    'linearity-chart-export-csv',
    'companion-charts-export-csv',
    'companion-charts-export-states-csv',
    'nonlinearity-heatmap-export-csv',
    'token-text-view-export-csv',
    'flash-list-export-csv',
  ]) {
    const download = page.waitForEvent('download');
    await page.getByTestId(button).click();
    const file = await download;
    const bytes = readFileSync((await file.path()) ?? '');
    expect(bytes[0], `${button} starts with a byte-order mark`).not.toBe(0xef);
    tables.set(file.suggestedFilename(), button);
  }
  expect([...tables.keys()].sort()).toEqual(
    [
      'linearity-pairs',
      'companions-pairs',
      'companions-states',
      'heatmap-per-token',
      'text-per-token',
      'flashes',
    ]
      .map((stem) => `linscope-linscope-tiny-gpt2-${stem}.csv`)
      .sort(),
  );

  // The logit lens grid shows the exported top tokens; its last row is the model's own prediction.
  const lens = result.logitLens;
  expect(lens).toBeTruthy();
  const grid = page.getByTestId('logit-lens');
  await expect(grid).toHaveAttribute('data-states', String(result.layers.length + 1));
  for (const [s, t] of [
    [0, 0],
    [2, 3],
    [result.layers.length, 5],
  ]) {
    const cell = grid.locator(`td[data-state="${s}"][data-token="${t}"]`);
    await expect(cell).toHaveAttribute('data-top-id', String(lens?.topId[s][t]));
    await expect(cell).toHaveText(tokenLabel(lens?.tokenText[String(lens?.topId[s][t])] ?? ''));
  }

  if (backend !== 'wasm') return; // the CLI comparison is backend-independent: once is enough
  const cli = spawnSync(
    process.execPath,
    ['cli/bin.mjs', 'analyze', '--model', DEFAULT_MODEL, '--text', PROMPT],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(cli.status, cli.stderr).toBe(0);
  const fromCli: LinScopeResult = JSON.parse(cli.stdout);
  expect(fromCli.tokens).toEqual(result.tokens);
  expect(fromCli.settings).toEqual(result.settings);
  for (const [l, layer] of result.layers.entries()) {
    const other = fromCli.layers[l];
    expect({ n: other.n, d: other.d, pair: other.pair }).toEqual({
      n: layer.n,
      d: layer.d,
      pair: layer.pair,
    });
    // WASM and onnxruntime-node differ in the last float32 bits of the states, nothing more.
    for (const key of ['linearity', 'linearityNoResidual', 'chanceFloor'] as const) {
      if (layer[key] === null) expect(other[key]).toBeNull();
      else expect(Math.abs((other[key] as number) - (layer[key] as number))).toBeLessThan(1e-4);
    }
    expect(Math.abs((other.heldOut?.linearity ?? 0) - (layer.heldOut?.linearity ?? 0))).toBeLessThan(1e-3);
  }
  const cliLens = fromCli.logitLens?.topId.flat() ?? [];
  const pageLens = result.logitLens?.topId.flat() ?? [];
  expect(cliLens.length).toBe(pageLens.length);
  expect(cliLens.filter((id, i) => id === pageLens[i]).length / cliLens.length).toBeGreaterThan(0.98);
});

test('an uploaded file is analysed, and the page passes an accessibility check', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Upload and accessibility do not depend on the backend; checked on WASM.');
  const dir = mkdtempSync(join(tmpdir(), 'linscope-upload-'));
  const file = join(dir, 'psalm.txt');
  const text = 'The LORD is my shepherd; I shall not want. He maketh me to lie down in green pastures.\n';
  writeFileSync(file, text);
  await openApp(page, backend);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('prompt-input')).toHaveValue(text);
  await expect(page.getByTestId('token-count')).toContainText('psalm.txt');
  await page.getByTestId('analyze-button').click();
  const result = await analyzed(page);
  expect(result.tokens.map((t) => t.text).join('')).toBe(text);
  await expectChartsShow(page, result);

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('a file that is not text gets a message and the prompt is kept', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend.');
  const dir = mkdtempSync(join(tmpdir(), 'linscope-upload-'));
  const file = join(dir, 'data.txt');
  writeFileSync(file, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill('keep me');
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('notice')).toContainText('not UTF-8 text');
  await expect(page.getByTestId('prompt-input')).toHaveValue('keep me');
});

test('an empty or blank prompt disables Analyze with a hint, and text enables it again', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend.');
  await openApp(page, backend);
  const analyze = page.getByTestId('analyze-button');
  await expect(analyze).toBeEnabled();
  await expect(page.getByTestId('analyze-hint')).toHaveCount(0);
  await page.getByTestId('prompt-input').fill('');
  await expect(analyze).toBeDisabled();
  await expect(page.getByTestId('analyze-hint')).toHaveText(
    'There is no text to analyze. Type or upload some text first.',
  );
  await expect(analyze).toHaveAccessibleDescription(/There is no text to analyze/);
  await page.getByTestId('prompt-input').fill('   \n\t \n');
  await expect(page.getByTestId('analyze-hint')).toContainText('only spaces and line breaks');
  await expect(analyze).toBeDisabled();
  // No run was started and no error was raised on the way.
  await expect(page.getByTestId('status')).not.toHaveAttribute('data-state', 'failed');
  await page.getByTestId('prompt-input').fill('In the beginning');
  await expect(analyze).toBeEnabled();
  await expect(page.getByTestId('analyze-hint')).toHaveCount(0);
  await analyze.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  // The keyboard lands on the results it asked for.
  await expect(page.getByTestId('results-heading')).toBeFocused();
});

test('choosing a Hub model proposes its recommended weights (q8), and nothing is downloaded', async ({
  page,
  backend,
  requests,
}) => {
  test.skip(backend !== 'wasm', 'The model picker does not depend on the backend.');
  await openApp(page, backend);
  await expect(page.getByTestId('dtype-select')).toHaveValue('fp32');
  await page.getByTestId('model-select').selectOption('Xenova/gpt2');
  await expect(page.getByTestId('dtype-select')).toHaveValue('q8');
  await expect(page.getByTestId('model-info')).toContainText('≈127 MB');
  // The user may still choose other weights; choosing the bundled model again proposes its own.
  await page.getByTestId('dtype-select').selectOption('fp32');
  await expect(page.getByTestId('model-info')).toContainText('≈501 MB');
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');
  await expect(page.getByTestId('dtype-select')).toHaveValue('fp32');
  expect(requests.filter((url) => url.includes('huggingface.co'))).toEqual([]);
});

/**
 * Starts recording where Analyze sits in the page (not the viewport: a click scrolls it into view),
 * every frame; gives a reader of the distinct places seen so far, in order.
 */
async function recordAnalyzeTops(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const tops: number[] = [];
    (window as unknown as { __analyzeTops: number[] }).__analyzeTops = tops;
    const frame = () => {
      const button = document.querySelector('[data-testid="analyze-button"]');
      if (button) {
        const top = Math.round(button.getBoundingClientRect().top + window.scrollY);
        if (tops.at(-1) !== top) tops.push(top);
      }
      requestAnimationFrame(frame);
    };
    frame();
  });
  return () => page.evaluate(() => (window as unknown as { __analyzeTops: number[] }).__analyzeTops);
}

test('Analyze holds still while the page loads the model and fits the reference ahead', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Layout does not depend on the backend.');
  await openApp(page, backend);
  // From the runtime's start on (the notes come later).
  const analyzeTops = await recordAnalyzeTops(page);
  // The notes ahead of Analyze come and go: the model loading, loaded, the reference fitting, fitted.
  await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('reference-ahead')).toHaveAttribute('data-state', 'fitted', {
    timeout: 120_000,
  });
  expect(await analyzeTops()).toHaveLength(1);
});

test('the header holds still while the runtime starts, whatever its badge says', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Layout does not depend on the backend.');
  // From the page's first frame: the badge says "Starting runtime…" before the backend is known.
  await page.addInitScript(() => {
    const heights: number[] = [];
    (window as unknown as { __headerHeights: number[] }).__headerHeights = heights;
    const frame = () => {
      const header = document.querySelector('.app__header');
      if (header) {
        const height = Math.round(header.getBoundingClientRect().height);
        if (heights.at(-1) !== height) heights.push(height);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  for (const width of [1280, 900, 560]) {
    await page.setViewportSize({ width, height: 900 });
    await openApp(page, backend);
    await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
    const heights = await page.evaluate(
      () => (window as unknown as { __headerHeights: number[] }).__headerHeights,
    );
    expect(heights, `header heights at ${width} px`).toHaveLength(1);
  }
});

test('the chosen model is loaded while the user writes; a Hub model the browser has not downloaded is not fetched for it', async ({
  page,
  backend,
  requests,
}) => {
  test.skip(backend !== 'wasm', 'Loading ahead does not depend on the backend.');
  await openApp(page, backend);
  const loadAhead = page.getByTestId('model-load-ahead');
  await expect(loadAhead).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(loadAhead).toHaveText('Model loaded.');
  // Analyze starts on the loaded model: its status never says the model is being loaded.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __statuses: string[] }).__statuses = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="status"]')?.textContent ?? '';
      if (seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
  expect(statuses.some((s) => /Running the model on the text/.test(s))).toBe(true);
  expect(statuses.filter((s) => /Downloading|Preparing the model|Model ready/.test(s))).toEqual([]);

  // A Hub model: loading ahead reads only what the browser has, so it stops at once and fetches nothing.
  await page.getByTestId('model-select').selectOption('Xenova/gpt2');
  await page.waitForTimeout(1500);
  await expect(loadAhead).toHaveCount(0);
  expect(requests.filter((url) => url.includes('huggingface.co'))).toEqual([]);
  // Back to the bundled model: loaded again ahead of the next run.
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');
  await expect(loadAhead).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
});

test('a Hub model the browser has kept is loaded ahead from it on the next visit: no download asked, nothing fetched', async ({
  page,
  context,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Loading ahead does not depend on the backend.');
  const id = 'fake-org/tiny-qwen2';
  const served = await serveFakeHub(context, id, join(ROOT, 'public/models/fixtures/tiny-random-qwen2'));
  const chooseHubModel = async () => {
    await page.getByTestId('hub-id-input').fill(id);
    await page.getByTestId('hub-id-input').press('Enter');
    await expect(page.getByTestId('model-select')).toHaveValue(id);
    await page.getByTestId('dtype-select').selectOption('fp32');
  };
  await openApp(page, backend);
  await page.getByText('Another model…').click();
  await chooseHubModel();
  // Not downloaded yet: loading ahead fetches nothing, and the first run asks first.
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('model-load-ahead')).toHaveCount(0);
  expect(served).toEqual([]);
  await page.getByTestId('analyze-button').click();
  await page.getByTestId('confirm-download').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  expect(served).toContain(`/${id}/resolve/main/onnx/model.onnx`);
  const downloads = served.length;

  // The next visit: the model loads ahead from the browser's cache, and runs without asking.
  await page.reload();
  await openApp(page, backend);
  await page.getByText('Another model…').click();
  await chooseHubModel();
  await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('download-confirm')).toHaveCount(0);
  expect(served).toHaveLength(downloads);
});

test('allowing a Hub download starts the run the user asked for; offline, the error says the Hub is unreachable', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Consent does not depend on the backend.');
  // This machine has no Hub; make that certain, and see what is asked of it.
  const hubRequests: string[] = [];
  await page.context().route('https://huggingface.co/**', (route) => {
    hubRequests.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await page.setViewportSize({ width: 1280, height: 600 });
  await openApp(page, backend);
  await page.getByTestId('model-select').selectOption('Xenova/gpt2');
  await page.getByTestId('analyze-button').click();
  const consent = page.getByTestId('download-confirm');
  await expect(consent).toContainText('about 127 MB');
  await expect(consent).toBeInViewport();
  await expect(page.getByTestId('confirm-download')).toBeFocused();
  expect(hubRequests).toEqual([]);

  await page.getByTestId('confirm-download').click();
  await expect(consent).toHaveCount(0);
  // No second press: the run starts, asks the Hub, and says it cannot be reached.
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  expect(hubRequests.length).toBeGreaterThan(0);
  await expect(page.getByTestId('error-message')).toContainText('The Hugging Face Hub could not be reached');
  await expect(page.getByTestId('error-message')).not.toContainText('TypeError');
});

test('a result whose inputs changed says so, and a new analysis clears the note', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'The page’s states do not depend on the backend.');
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill('In the beginning was the word.');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const note = page.getByTestId('stale-note');
  await expect(note).toHaveCount(0);

  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('exclude-bos').check();
  await expect(note).toHaveText(
    'The settings changed since this result was computed: press Analyze to update it.',
  );
  await page.getByTestId('prompt-input').fill('In the beginning was the word, and more.');
  await expect(note).toContainText('The text and settings changed');
  // Putting things back as they were: the result answers the page again.
  await page.getByTestId('exclude-bos').uncheck();
  await page.getByTestId('prompt-input').fill('In the beginning was the word.');
  await expect(note).toHaveCount(0);

  await page.getByTestId('exclude-bos').check();
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(note).toHaveCount(0);
});

test('the model’s own text as reference: the model writes it with progress, and Cancel leaves the page usable', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'The flow does not depend on the backend.');
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill('In the beginning God created the heaven and the earth.');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('reference-select').selectOption('model');
  await expect(page.getByTestId('stale-note')).toContainText('reference corpus changed');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toContainText(
    /The model is writing its own reference text: sample \d+ of \d+/,
    { timeout: 60_000 },
  );
  await page.getByTestId('cancel-button').click();
  // The earlier result is still there, the choice too, and the page runs again.
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('results-heading')).toBeVisible();
  await expect(page.getByTestId('reference-select')).toHaveValue('model');
  await page.getByTestId('reference-select').selectOption('bundled');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
});

test('a reference corpus with no more tokens than the model has dimensions is refused when chosen', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend.');
  const dir = mkdtempSync(join(tmpdir(), 'linscope-reference-'));
  const tiny = join(dir, 'tiny-reference.txt');
  writeFileSync(tiny, 'In the beginning was the word.\n\nAnd the word was short.');
  const enough = join(dir, 'long-reference.txt');
  writeFileSync(enough, readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 6000));
  await openApp(page, backend);
  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('reference-input').setInputFiles(tiny);
  await expect(page.getByTestId('notice')).toContainText(
    /The reference corpus “tiny-reference\.txt” has \d+ tokens for a model of width d = 128: per-token maps need more tokens than dimensions/,
  );
  await expect(page.getByTestId('reference-select')).toHaveValue('bundled');
  // A corpus long enough is taken, and the notice goes.
  await page.getByTestId('reference-input').setInputFiles(enough);
  await expect(page.getByTestId('reference-select')).toHaveValue('user');
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a .jsonl upload keeps its documents: as the prompt (blank lines inside one said, not split) and as the reference', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend.');
  const dir = mkdtempSync(join(tmpdir(), 'linscope-jsonl-'));
  const docs = join(dir, 'docs.jsonl');
  const lines = [
    { text: 'The first document, paragraph one.\n\nThe first document, paragraph two.' },
    { text: 'The second document.' },
    { text: '' },
  ];
  writeFileSync(docs, lines.map((l) => JSON.stringify(l)).join('\n'));
  await openApp(page, backend);
  await page.getByTestId('file-input').setInputFiles(docs);
  await expect(page.getByTestId('notice')).toContainText(
    '1 of the 2 documents in “docs.jsonl” have blank lines inside: the text box separates documents by blank lines, so each became a single line break there',
  );
  await expect(page.getByTestId('notice')).toContainText('1 empty document was left out.');
  await expect(page.getByTestId('prompt-input')).toHaveValue(
    'The first document, paragraph one.\nThe first document, paragraph two.\n\nThe second document.',
  );
  // Two documents are analysed, not three.
  await page.getByTestId('analyze-button').click();
  const result = await analyzed(page);
  expect(new Set(result.tokens.map((t) => (t as { doc?: number }).doc))).toEqual(new Set([0, 1]));

  // The same kind of file as the reference corpus: its documents as stored (this read it as JSON
  // lines a second time, and refused it).
  const corpus = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8')
    .slice(0, 6000)
    .split('\n\n');
  const reference = join(dir, 'reference.jsonl');
  writeFileSync(reference, corpus.map((text) => JSON.stringify({ text })).join('\n'));
  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('reference-input').setInputFiles(reference);
  await expect(page.getByTestId('reference-select')).toHaveValue('user');
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a reload keeps the text typed since the last analysis, beside that analysis; another tab starts without it', async ({
  page,
  backend,
  context,
}) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend.');
  await openApp(page, backend);
  const analysedText = 'The first text, which is analysed.';
  const typedText = 'A second text, typed and not analysed yet.';
  await page.getByTestId('prompt-input').fill(analysedText);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await page.getByTestId('prompt-input').fill(typedText);
  await page.reload();
  await expect(page.getByTestId('results-heading')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('prompt-input')).toHaveValue(typedText);
  // The analysis on screen is the first text's, and says the text changed since.
  await expect(page.getByTestId('stale-note')).toBeVisible();
  // Another tab knows nothing of this tab's draft.
  const other = await context.newPage();
  await openApp(other, backend);
  await expect(other.getByTestId('prompt-input')).not.toHaveValue(typedText);
  await other.close();
});

test('?model= that is no model id (a path) is refused on load, nothing is fetched for it, nothing runs', async ({
  page,
  backend,
  requests,
}) => {
  test.skip(backend !== 'wasm', 'URL handling does not depend on the backend.');
  await page.goto('./?backend=wasm&model=../../etc/passwd&run=1');
  await expect(page.getByTestId('notice')).toHaveText(
    'The link asks for model “../../etc/passwd”, which is not a model id: ids look like owner/name (for example Xenova/gpt2). The bundled model is chosen instead.',
  );
  await expect(page.getByTestId('model-select')).toHaveValue('linscope/tiny-gpt2');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('status')).not.toHaveAttribute('data-state', /running|loading|error/);
  // The page's own address carries it in its query; no request asked for it as a path.
  expect(requests.filter((url) => new URL(url).pathname.includes('passwd'))).toEqual([]);
  // The page works: the bundled model runs.
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
});

test('let the model write: its words stand apart from the prompt, and one press analyzes the whole text', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'The panel does not depend on the backend.');
  await openApp(page, backend);
  const prompt = 'And the LORD said unto Moses,';
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByText('Let the model write').click();
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('generation-prompt')).toHaveText(prompt, { timeout: 60_000 });
  const written = (await page.getByTestId('generation-written').textContent()) ?? '';
  expect(written.trim().length).toBeGreaterThan(0);
  // Told apart by more than colour: the model's words are marked up as such.
  expect(await page.getByTestId('generation-written').evaluate((e) => e.tagName)).toBe('MARK');

  await page.getByTestId('generation-analyze').click();
  await expect(page.getByTestId('prompt-input')).toHaveValue(prompt + written);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const result: LinScopeResult = JSON.parse(readFileSync((await (await download).path()) ?? '', 'utf8'));
  expect(result.tokens.map((t) => t.text).join('')).toBe(prompt + written);
});

test('the linearity chart draws the series and the layer pairs the reader chooses', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Drawing does not depend on the backend.');
  await openApp(page, backend);
  // More tokens than the model's 128 dimensions, so that every in-sample score is a number.
  const text = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 1500);
  await page.getByTestId('prompt-input').fill(text);
  await page.getByTestId('analyze-button').click();
  const result = await analyzed(page);
  expect(result.layers.every((l) => l.linearity !== null && l.linearityNoResidual !== null)).toBe(true);
  const chart = page.getByTestId('linearity-chart');
  const points = (series: string) => chart.locator(`[data-series="${series}"][data-value]`);
  await expect(points('heldOut')).toHaveCount(4);

  await page.getByTestId('linearity-show-heldOut').uncheck();
  await page.getByTestId('linearity-show-linearityNoResidual').uncheck();
  await expect(points('heldOut')).toHaveCount(0);
  await expect(points('linearityNoResidual')).toHaveCount(0);
  await expect(chart).toHaveAttribute('data-hidden-series', 'heldOut,linearityNoResidual');
  // The axis now fits the with-residual scores alone.
  const [bottom, top] = ((await chart.getAttribute('data-y-domain')) ?? '').split(',').map(Number);
  const shown = result.layers.map((l) => l.linearity as number);
  expect(bottom).toBeLessThanOrEqual(Math.min(...shown));
  expect(top).toBeGreaterThanOrEqual(Math.max(...shown));
  expect(bottom).toBeGreaterThan(Math.min(...result.layers.map((l) => l.linearityNoResidual as number)));

  await page.getByTestId('linearity-pair-from').selectOption('1');
  await page.getByTestId('linearity-pair-to').selectOption('2');
  await expect(chart).toHaveAttribute('data-pair-range', '1,2');
  await expect(points('linearity')).toHaveCount(2);
  for (const l of [1, 2])
    expect(
      Number(
        await points('linearity')
          .and(chart.locator(`[data-layer="${l}"]`))
          .getAttribute('data-value'),
      ),
    ).toBeCloseTo(result.layers[l].linearity as number, 10);
  // The choice is the figure's: the exported SVG has the two pairs and the one series.
  const download = page.waitForEvent('download');
  await page.getByTestId('linearity-chart-export-svg').click();
  const svg = readFileSync((await (await download).path()) ?? '', 'utf8');
  expect(svg).toContain('1→2');
  expect(svg).not.toContain('0→1');
});

test('cancelling mid-run leaves the page usable', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'Cancellation is backend-independent; checked on WASM.');
  const long = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 40_000);
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill(long);
  await expect(page.getByTestId('token-count')).toHaveAttribute('data-state', 'counting');
  const analyzeTops = await recordAnalyzeTops(page);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', /loading|running/);
  // The count (two lines here) replacing "Counting tokens…" moves nothing the user may be reaching for.
  await expect(page.getByTestId('token-count')).toHaveAttribute('data-state', 'counted');
  expect(await analyzeTops()).toHaveLength(1);
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('cancel-button')).toHaveCount(0);
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
  // And a new run works.
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
});

test('?model=&prompt=&run=1 starts the analysis on load', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'URL handling does not depend on the backend.');
  await openApp(page, backend, `model=linscope%2Ftiny-gpt2&prompt=${encodeURIComponent(PROMPT)}&run=1`);
  const result = await analyzed(page);
  expect(result.tokens.map((t) => t.text).join('')).toBe(PROMPT);
});

test('?prompt= of only spaces with run=1 starts nothing and says what typing them says', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'URL handling does not depend on the backend.');
  await openApp(page, backend, 'prompt=%20%20&run=1');
  await expect(page.getByTestId('prompt-input')).toHaveValue('  ');
  await expect(page.getByTestId('analyze-hint')).toHaveText(
    'The text is only spaces and line breaks. Type or upload some text to analyze.',
  );
  await expect(page.getByTestId('analyze-button')).toBeDisabled();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(page.getByText('There is no text to analyze')).toHaveCount(0);
});

test('the charts fill in while a long text is analysed', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'Progressive rendering does not depend on the backend.');
  const long = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 30_000);
  await openApp(page, backend);
  await page.getByTestId('prompt-input').fill(long);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('live-results')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('live-results').getByTestId('linearity-chart')).toBeVisible();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('live-results')).toHaveCount(0);
  await expect(page.getByTestId('results')).toBeVisible();
});

test('intrinsic dimension, when asked for, is drawn with the exported numbers', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'A companion metric computed in the worker; backend-independent.');
  await openApp(page, backend);
  await page.getByText('Settings').click();
  await page.getByTestId('intrinsic-dimension').check();
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('analyze-button').click();
  const result = await analyzed(page);
  const values = result.states.map((s) => s.intrinsicDimension);
  expect(values).toHaveLength(5);
  const companions = page.getByTestId('companion-charts');
  for (const [i, v] of values.entries()) {
    expect(v).not.toBeNull();
    const drawn = await companions
      .locator(`[data-series="intrinsicDimension"][data-layer="${i}"]`)
      .getAttribute('data-value');
    expect(Number(drawn)).toBeCloseTo(v as number, 10);
  }
  // Beside the numbers: LinScope's TwoNN drops repeated rows (the paper's code does not).
  await expect(companions.getByTestId('intrinsicDimension-note')).toContainText(
    'repeated rows dropped first',
  );
});

test('?threads=2 fits and scores the layer pairs on nested workers with the numbers of ?threads=1', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Scoring runs on the CPU whatever the backend; checked on WASM.');
  let pairWorkers = 0;
  page.on('worker', (worker) => {
    if (/pairEntry[^/]*\.js$/.test(worker.url())) pairWorkers++;
  });
  const text = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 6_000);
  const run = async (threads: number) => {
    await openApp(page, backend, `threads=${threads}`);
    await page.getByTestId('prompt-input').fill(text);
    await page.getByTestId('analyze-button').click();
    return analyzed(page);
  };
  const two = await run(2);
  // Two pair workers (nested workers of the analysis worker), kept from the text's own scores to
  // the reference fit and the scores against the reference (docs/analysis.md, "Progressive
  // results"): runs of this model are small enough for the page to keep its workers after them
  // (src/job/pairWorkerPool.ts).
  expect(pairWorkers).toBe(2);
  // A second Analyze in the page finds them warm and starts none.
  await page.getByTestId('prompt-input').fill(text.slice(0, 4_000));
  await page.getByTestId('analyze-button').click();
  await expect
    .poll(async () => (await analyzed(page)).tokens.length, { timeout: 120_000 })
    .toBeLessThan(two.tokens.length);
  expect(pairWorkers).toBe(2);
  // Forget the cached reference fit, so that ?threads=1 fits it again on one thread; none start.
  await forgetReferenceFits(page);
  const one = await run(1);
  expect(pairWorkers).toBe(2);
  expect(one.layers[0].n).toBeGreaterThan(one.layers[0].d);
  for (const layer of one.layers) expect(layer.linearity).not.toBeNull();
  expect(two.layers).toEqual(one.layers);
  expect(two.states).toEqual(one.states);
  expect(two.perToken).toEqual(one.perToken);
});
