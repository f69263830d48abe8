/**
 * Bad and hostile input, faults and broken storage (docs/reliability.md lists every case): each
 * gets a message that says what was wrong and what to do, and the page stays usable with the
 * prompt, the settings and the last result still there. Backend-independent: WASM only.
 * Cases that share nothing but the page are grouped into one test per area, to keep the suite short.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { encodeOnnxModel } from '../src/model/onnx/writer';
import { expect, openApp, test, watchErrors } from './fixtures';

const ROOT = resolve('.');
const FIXTURE = join(ROOT, 'public/models/fixtures/tiny-random-gpt2');
const PROMPT = 'In the beginning was the word, and the word was with the machine.';
const LONG_TEXT = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8').slice(0, 40_000);

test.beforeEach(({ backend }) => {
  test.skip(backend !== 'wasm', 'Input handling and recovery do not depend on the backend: checked on WASM.');
});

const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned ?? null);

async function analyze(page: Page, text?: string): Promise<void> {
  if (text !== undefined) await page.getByTestId('prompt-input').fill(text);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
}

async function exportedResult(page: Page): Promise<LinScopeResult> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8'));
}

/** The `.linscope.json` file of the analysis on screen, as the page saves it. */
async function savedLinscopeText(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByTestId('download-linscope').click();
  return readFileSync((await (await download).path()) ?? '', 'utf8');
}

/** What identifies the result on screen: its summary line and the heatmap's shape and maximum. */
async function shownResult(page: Page): Promise<string> {
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  return [
    await page.getByTestId('result-summary').textContent(),
    await heatmap.getAttribute('data-rows'),
    await heatmap.getAttribute('data-cols'),
    await heatmap.getAttribute('data-max-value'),
  ].join(' | ');
}

/** The prompt and the result on screen are what they were, and Analyze can be pressed. */
async function expectKept(page: Page, prompt: string, result: string, what: string): Promise<void> {
  await expect(page.getByTestId('prompt-input'), what).toHaveValue(prompt);
  expect(await shownResult(page), what).toBe(result);
  await expect(page.getByTestId('analyze-button'), what).toBeEnabled();
}

/** A copy of the tiny GPT-2 fixture in a temp folder named `name`, changed by `edit`. */
function modelFolder(name: string, edit: (dir: string) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'linscope-bad-model-')), name);
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, 'reference.safetensors'));
  rmSync(join(dir, 'onnx/model_quantized.onnx'));
  edit(dir);
  return dir;
}

/** A valid ONNX model that is no language model: y = Relu(x) on a float vector. */
function notADecoder(): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ version: 17 }],
    graph: {
      name: 'relu',
      nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', type: 'float32', shape: ['n'] }],
      outputs: [{ name: 'y', type: 'float32', shape: ['n'] }],
    },
  });
}

test('text: empty, blank, one token, emoji/RTL/zero-width, markup, and a long text cancelled', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  let result = await shownResult(page);
  const analyzeButton = page.getByTestId('analyze-button');
  const hint = page.getByTestId('analyze-hint');

  // 1-2. Empty and blank: Analyze is disabled with a hint; the result stays.
  await page.getByTestId('prompt-input').fill('');
  await expect(analyzeButton).toBeDisabled();
  await expect(hint).toHaveText('There is no text to analyze. Type or upload some text first.');
  await page.getByTestId('prompt-input').fill(' \n\t\u00a0 \n');
  await expect(hint).toHaveText(
    'The text is only spaces and line breaks. Type or upload some text to analyze.',
  );
  await expect(analyzeButton).toBeDisabled();
  expect(await shownResult(page)).toBe(result);

  // 3. One token: it runs; with one token there is nothing to fit a map on, and the scores say so.
  await analyze(page, 'a');
  const one = await exportedResult(page);
  expect(one.tokens.map((t) => t.text).join('')).toBe('a');
  expect(one.layers.every((l) => l.linearity === null)).toBe(true);
  await expect(page.getByTestId('linearity-chart')).toContainText(/n ≤ d|too few tokens|no score/i);

  // 4. Emoji, RTL and zero-width characters: the exact text comes back, and controls are made visible.
  const unicode = 'Peace 👨‍👩‍👧 שָׁלוֹם مرحبا zero\u200bwidth and \u202Eevil\u202C end.';
  await analyze(page, unicode);
  const uni = await exportedResult(page);
  expect(uni.tokens.map((t) => t.text).join('')).toBe(unicode);
  const textView = page.getByTestId('token-text-view');
  await expect(textView).toContainText('שָׁלוֹם');
  await expect(textView).toContainText('مرحبا');
  // The override stays inside its token (unicode-bidi: isolate), so the text after it keeps its order.
  const isolated = await textView
    .locator('.lsc-tok')
    .first()
    .evaluate((el) => getComputedStyle(el).unicodeBidi);
  expect(isolated).toBe('isolate');
  // Token labels (heatmap tooltip, flash list, titles) show the override by code point, never raw.
  const grid = page.getByTestId('heatmap-grid');
  await grid.focus();
  const tooltipTexts: string[] = [];
  for (let t = 0; t < uni.tokens.length; t++) {
    await page.keyboard.press(t === 0 ? 'Home' : 'ArrowRight');
    tooltipTexts.push((await page.getByTestId('heatmap-tooltip').textContent()) ?? '');
  }
  expect(tooltipTexts.join('')).not.toContain('\u202E');
  expect(tooltipTexts.join('')).toContain('⟨U+202E⟩');
  const titles = await textView.locator('[title]').evaluateAll((n) => n.map((e) => e.getAttribute('title')));
  expect(titles.join('')).not.toContain('\u202E');
  // Exports: the CSV carries the exact UTF-8 text; file names carry only safe characters.
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('token-text-view-export-csv').click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe('linscope-linscope-tiny-gpt2-text-per-token.csv');
  const csvText = readFileSync((await csv.path()) ?? '', 'utf8');
  // One row per token (the family emoji spans several, joined by U+200D in rows of their own).
  for (const part of ['👨', '👩', '👧', '\u200d', 'ש', 'ם', 'م', 'ا']) expect(csvText).toContain(part);
  expect(csvText).not.toContain('\uFFFD');
  const svgDownload = page.waitForEvent('download');
  await page.getByTestId('nonlinearity-heatmap-export-svg').click();
  const svg = await svgDownload;
  expect(svg.suggestedFilename()).toMatch(/^linscope-linscope-tiny-gpt2-[a-z-]+\.svg$/);

  // 5. Markup and script in the text: shown as text everywhere, never run.
  const markup = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & <b>bold</b>';
  await analyze(page, markup);
  await expect(textView).toContainText('<img src=x onerror=');
  await expect(textView).toContainText('<script>');
  expect(await page.locator('.results img, .results script, .results b').count()).toBe(0);
  expect(await pwned(page)).toBeNull();
  result = await shownResult(page);

  // 6. Far beyond the context: the count warns before the run, and Cancel stops it; all is kept.
  await page.getByTestId('prompt-input').fill(LONG_TEXT);
  await expect(page.getByTestId('token-count')).toContainText(
    /longer than the 256-token window: runs in \d+ windows/,
  );
  await analyzeButton.click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', /loading|running/);
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('cancel-button')).toHaveCount(0);
  await expectKept(page, LONG_TEXT, result, 'after cancel');
  await expect(page.getByTestId('stale-note')).toContainText('text');
  expect(errors).toEqual([]);
});

test('uploads: just over 20 MB, a binary file, NUL bytes, invalid UTF-8; ?prompt= with a script', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'linscope-uploads-'));
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
  // 7. A markup payload in ?prompt= with run=1: analysed, shown as text, never run.
  await openApp(page, backend, `model=linscope%2Ftiny-gpt2&prompt=${encodeURIComponent(payload)}&run=1`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('prompt-input')).toHaveValue(payload);
  await expect(page.getByTestId('token-text-view')).toContainText('<script>window.__pwned=1</script>');
  expect(await page.locator('.results img, .results script').count()).toBe(0);
  expect(await pwned(page)).toBeNull();
  const result = await shownResult(page);

  await page.getByTestId('prompt-input').fill(PROMPT);
  const notice = page.getByTestId('notice');
  const upload = page.getByTestId('file-input');
  const cases: [string, string, string][] = [
    [
      'just over 20 MB',
      write('big.txt', Buffer.alloc(20 * 1024 * 1024 + 1, 0x61)),
      '“big.txt” is 20,971,521 bytes, over the 20 MB limit (20,971,520 bytes). Split it into smaller files.',
    ],
    [
      'a binary file',
      write('model.onnx', Buffer.from(notADecoder())),
      '“model.onnx” is not a text file LinScope reads. Use .txt, .md or .jsonl.',
    ],
    [
      'NUL bytes in a .txt',
      write('data.txt', Buffer.from('abc\u0000\u0000def', 'utf8')),
      '“data.txt” looks like a binary file, not text (it holds NUL bytes). Choose a text file (.txt, .md or .jsonl).',
    ],
    [
      'invalid UTF-8',
      write('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff])),
      '“latin1.txt” is not UTF-8 text. Save it as UTF-8 and try again.',
    ],
  ];
  for (const [what, file, message] of cases) {
    await upload.setInputFiles(file);
    await expect(notice, what).toHaveText(message);
    await expectKept(page, PROMPT, result, what);
  }
  // A good file clears the notice.
  await upload.setInputFiles(write('ok.txt', 'Fine text.\n'));
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId('prompt-input')).toHaveValue('Fine text.\n');
  expect(errors).toEqual([]);
});

test('malformed model folders each say what is wrong; the bundled model still runs', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  const result = await shownResult(page);
  const folder = page.getByTestId('model-folder-input');
  await page.getByText('Another model…').click();
  // A good folder first: it must still run after the failures below (which replace the worker).
  await folder.setInputFiles(modelFolder('good-gpt2', () => undefined));
  await expect(page.getByTestId('model-select')).toHaveValue('local/good-gpt2');
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');

  // Refused when opened: what is missing.
  const refused: [string, string, string][] = [
    [
      'missing config',
      modelFolder('no-config', (d) => rmSync(join(d, 'config.json'))),
      'That folder has no config.json. Pick a transformers.js model folder (config.json, tokenizer.json, onnx/model.onnx).',
    ],
    [
      'missing tokenizer',
      modelFolder('no-tokenizer', (d) => rmSync(join(d, 'tokenizer.json'))),
      'That folder has no tokenizer.json.',
    ],
    [
      'no ONNX',
      modelFolder('no-onnx', (d) => rmSync(join(d, 'onnx'), { recursive: true })),
      'That folder has no onnx/model*.onnx file.',
    ],
  ];
  for (const [what, dir, message] of refused) {
    await folder.setInputFiles(dir);
    await expect(page.getByTestId('notice'), what).toHaveText(message);
    await expect(page.getByTestId('model-select'), what).toHaveValue('linscope/tiny-gpt2');
    await expectKept(page, PROMPT, result, what);
  }

  // Opened, then refused when loaded: the run's error says what is wrong with which file.
  const onnx = (d: string) => join(d, 'onnx/model.onnx');
  const broken: [string, string, RegExp][] = [
    [
      'tokenizer not JSON',
      modelFolder('bad-tokenizer', (d) => writeFileSync(join(d, 'tokenizer.json'), '{"model": ')),
      /The tokenizer of model "local\/bad-tokenizer" could not be read/,
    ],
    [
      'another model’s tokenizer',
      modelFolder('wrong-tokenizer', (d) =>
        copyFileSync(
          join(ROOT, 'public/models/linscope/tiny-gpt2/tokenizer.json'),
          join(d, 'tokenizer.json'),
        ),
      ),
      /Model "local\/wrong-tokenizer": tokenizer\.json is not this model’s: it has 4096 tokens, and config\.json says vocab_size 512\. Put the tokenizer\.json that came with the model/,
    ],
    [
      'truncated ONNX',
      modelFolder('truncated', (d) => {
        const bytes = readFileSync(onnx(d));
        writeFileSync(onnx(d), bytes.subarray(0, Math.floor(bytes.length / 2)));
      }),
      /Model "local\/truncated": its weights \(onnx\/model\.onnx\) are damaged or incomplete \(\d+ bytes that do not read as an ONNX model/,
    ],
    [
      'an ONNX that is not a decoder',
      modelFolder('not-a-decoder', (d) => writeFileSync(onnx(d), notADecoder())),
      /^LinScope cannot find the hidden states in this model's graph: no node names carry a layer index/,
    ],
    [
      'an unsupported operator',
      modelFolder('unsupported-op', (d) => {
        const bytes = readFileSync(onnx(d));
        writeFileSync(
          onnx(d),
          Buffer.from(bytes.toString('latin1').replaceAll('Softmax', 'Softmux'), 'latin1'),
        );
      }),
      /Softmux/,
    ],
  ];
  const status = page.getByTestId('status');
  for (const [what, dir, message] of broken) {
    await folder.setInputFiles(dir);
    await expect(page.getByTestId('model-select'), what).toHaveValue(`local/${dir.split('/').pop()}`);
    await page.getByTestId('analyze-button').click();
    await expect(status, what).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
    await expect(page.getByTestId('error-message'), what).toContainText(message);
    await expect(page.getByTestId('error-message'), what).not.toContainText(/TypeError|undefined|\[object/);
    await expectKept(page, PROMPT, result, what);
  }
  await page.getByTestId('model-select').selectOption('local/good-gpt2');
  await analyze(page);
  expect((await exportedResult(page)).model.id).toBe('local/good-gpt2');
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');
  await analyze(page);
  expect(errors).toEqual([]);
});

test('Hub: an unknown id and the Hub offline each end in a clear message, with no hang', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  let offline = false;
  const asked: string[] = [];
  await page.context().route('https://huggingface.co/**', (route) => {
    asked.push(route.request().url());
    if (offline) return route.abort('internetdisconnected');
    return route.fulfill({
      status: 404,
      headers: { 'Access-Control-Allow-Origin': '*', 'X-Error-Code': 'RepoNotFound' },
      body: 'Repository not found',
    });
  });
  await openApp(page, backend);
  await analyze(page, PROMPT);
  const result = await shownResult(page);
  await page.getByText('Another model…').click();

  for (const [what, id, message] of [
    [
      'an unknown Hub id',
      'nobody-here/no-such-model',
      /Model "nobody-here\/no-such-model" could not be found/,
    ],
    [
      'the Hub offline',
      'someone/offline-model',
      /The Hugging Face Hub could not be reached to load "someone\/offline-model"/,
    ],
  ] as const) {
    offline = what === 'the Hub offline';
    await page.getByTestId('hub-id-input').fill(id);
    await page.getByTestId('hub-id-input').press('Enter');
    await expect(page.getByTestId('model-select')).toHaveValue(id);
    await page.getByTestId('analyze-button').click();
    await page.getByTestId('confirm-download').click();
    const started = Date.now();
    await expect(page.getByTestId('status'), what).toHaveAttribute('data-state', 'error', {
      timeout: 30_000,
    });
    expect(Date.now() - started, what).toBeLessThan(30_000);
    await expect(page.getByTestId('error-message'), what).toContainText(message);
    await expectKept(page, PROMPT, result, what);
  }
  expect(asked.length).toBeGreaterThan(0);
  // Another model chosen (the one the result on screen is for): the last model's error no longer
  // applies and goes, and so does the note that the last analysis failed; the text and result stay.
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('stale-note')).toHaveCount(0);
  await expectKept(page, PROMPT, result, 'after choosing another model');
  await analyze(page);
  expect(errors).toEqual([]);
});

test('a download cut off mid-way fails cleanly, leaves no partial file in the cache, and a retry works', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  const model = 'fixtures/tiny-random-llama';
  const file = join(ROOT, 'public/models', model, 'onnx/model.onnx');
  // While `cutting`, every response for the weights ends half-way: the connection closes after half
  // of the bytes its Content-Length announces.
  let cutting = true;
  let cut = 0;
  const bytes = readFileSync(file);
  await page.context().route(`**/models/${model}/onnx/model.onnx`, (route) => {
    if (!cutting) return route.continue();
    cut++;
    return route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
      body: bytes.subarray(0, bytes.length >> 1),
    });
  });
  await openApp(page, backend, `model=${model}`);
  await expect(page.getByTestId('model-select')).toHaveValue(model);
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(page.getByTestId('error-message')).toContainText(
    `Model "${model}": its weights (onnx/model.onnx) are damaged or incomplete`,
  );
  await expect(page.getByTestId('error-message')).toContainText('press Analyze to download them again');
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);
  // Nothing half-downloaded was kept: the cache holds no entry for the file, or the whole file.
  const cached = () =>
    page.evaluate(async (path) => {
      const sizes: number[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys())
          if (request.url.endsWith(path))
            sizes.push((await (await cache.match(request))?.arrayBuffer())?.byteLength ?? -1);
      }
      return sizes;
    }, `${model}/onnx/model.onnx`);
  expect(await cached()).toEqual([]);
  expect(cut).toBeGreaterThan(0);
  // Retry: the same press works once the connection does.
  cutting = false;
  await analyze(page);
  for (const size of await cached()) expect(size).toBe(statSync(file).size);
  expect(errors).toEqual([]);
});

test('a connection failure before any byte of a model file served here is not a missing file; a 404 is; a retry works', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  const model = 'linscope/tiny-gpt2';
  // The weights' request: first no answer at all (the connection fails), then an HTTP 404, then served.
  let mode: 'no-answer' | 'not-found' | 'served' = 'no-answer';
  await page.context().route(`**/models/${model}/onnx/model.onnx`, (route) => {
    if (mode === 'no-answer') return route.abort('connectionfailed');
    if (mode === 'not-found') return route.fulfill({ status: 404, body: 'Not Found' });
    return route.continue();
  });
  await openApp(page, backend);
  await expect(page.getByTestId('model-select')).toHaveValue(model);
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(page.getByTestId('error-message')).toHaveText(
    `The site could not be reached to load onnx/model.onnx of model "${model}" (Failed to fetch): the connection failed before any answer came. Check the connection, then press Analyze to retry.`,
  );
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);
  // An answer that says the file is not there is a missing file (the merged-If hint included).
  mode = 'not-found';
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(page.getByTestId('error-message')).toContainText(
    `Model "${model}" has no onnx/model.onnx (the fp32 variant). Try another dtype.`,
  );
  // Retry: the same press works once the file is served.
  mode = 'served';
  await analyze(page);
  expect(errors).toEqual([]);
});

test('the worker crashing mid-run: the page says so, keeps everything, and runs again', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  const result = await shownResult(page);
  const text = LONG_TEXT;
  await page.getByTestId('prompt-input').fill(text);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', /loading|running/);
  const worker = page.workers().find((w) => /\/entry-[^/]*\.js$/.test(w.url()));
  expect(
    worker,
    page
      .workers()
      .map((w) => w.url())
      .join(', '),
  ).toBeTruthy();
  // What the note on loading ahead says, from here on, with the run's status at that moment.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __loadAheadNotes: string[] }).__loadAheadNotes = seen;
    const now = () => {
      const status = document.querySelector('[data-testid="status"]')?.getAttribute('data-state');
      const note = document.querySelector('[data-testid="model-load-ahead"]')?.getAttribute('data-state');
      return `${status ?? 'none'}:${note ?? 'none'}`;
    };
    new MutationObserver(() => {
      if (seen.at(-1) !== now()) seen.push(now());
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  // An uncaught error in the worker, as a crashed runtime raises it.
  await worker?.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 0);
  });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
  await expect(page.getByTestId('error-message')).toHaveText(
    'LinScope’s worker failed (Uncaught Error: simulated crash) and was restarted. Your text, settings and results are kept: press Analyze to try again.',
  );
  await expectKept(page, text, result, 'after the crash');
  // The replacement worker has no model: the page loads it ahead again, and says so until it is.
  await expect(page.getByTestId('model-load-ahead')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  const notes = await page.evaluate(
    () => (window as unknown as { __loadAheadNotes: string[] }).__loadAheadNotes,
  );
  const afterCrash = notes.slice(notes.findIndex((n) => n.startsWith('error:')));
  const said = afterCrash.map((n) => n.split(':')[1]).filter((n) => n !== 'none');
  expect(said.slice(-2), notes.join(' ')).toEqual(['loading', 'ready']);
  // The replacement worker runs the same text to the end.
  await analyze(page);
  await expect(page.getByTestId('token-count')).toContainText('windows');
  expect(errors).toEqual([]);
});

test('broken storage and files: corrupt IndexedDB entries are ignored and rebuilt; bad .linscope.json files are refused', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  await expect(page.getByTestId('recent-select')).toBeVisible();
  const good = await savedLinscopeText(page);

  // Corrupt every stored reference fit, and add broken records to the Recent list.
  const corrupt = await page.evaluate(async () => {
    const open = (name: string) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const done = (tx: IDBTransaction) =>
      new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    const fits = await open('linscope');
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const r = fits.transaction('reference-fits').objectStore('reference-fits').getAllKeys();
      r.onsuccess = () => resolve(r.result);
    });
    const tx = fits.transaction('reference-fits', 'readwrite');
    for (const [i, key] of keys.entries())
      tx.objectStore('reference-fits').put(
        i % 2 === 0 ? { fit: { d: 'x', pairs: 'garbage' }, at: 1 } : 'not even an object',
        key,
      );
    await done(tx);
    fits.close();
    const recent = await open('linscope-recent');
    const rtx = recent.transaction('recent-analyses', 'readwrite');
    rtx
      .objectStore('recent-analyses')
      .put({ savedAt: 1, title: 'broken', value: { schema: 'linscope.share/v1', state: 7 } });
    rtx
      .objectStore('recent-analyses')
      .put({ savedAt: 2, title: '<img src=x onerror=window.__pwned=1>', value: null });
    await done(rtx);
    recent.close();
    return keys.length;
  });
  expect(corrupt).toBeGreaterThan(0);

  // 8. A reload: the good analysis comes back, the broken records are not listed, nothing fails.
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'recent');
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);
  const titles = await page.getByTestId('recent-select').locator('option').allTextContents();
  expect(titles.join('\n')).not.toMatch(/broken|onerror/);
  // 9. The corrupt fit is dropped and fitted again: the run finishes, and the stored fit is whole again.
  await analyze(page);
  const stored = await page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const r = indexedDB.open('linscope');
        r.onerror = () => reject(r.error);
        r.onsuccess = () => {
          const all = r.result.transaction('reference-fits').objectStore('reference-fits').getAll();
          all.onsuccess = () => {
            // A stored fit is a FittedReference: its maps under `fit`, their width `d`.
            resolve(all.result.map((e) => typeof e?.fit?.fit?.d));
            r.result.close();
          };
        };
      }),
  );
  expect(stored).toContain('number');
  expect(stored.every((t) => t === 'number')).toBe(true);
  const result = await shownResult(page);

  // 10-14. .linscope.json files: truncated, edited, oversized, from a newer LinScope, not JSON.
  const dir = mkdtempSync(join(tmpdir(), 'linscope-files-'));
  const parsed = JSON.parse(good);
  const files: [string, string | Buffer, RegExp][] = [
    [
      'truncated.linscope.json',
      good.slice(0, Math.floor(good.length / 2)),
      /“truncated\.linscope\.json”: This file is not JSON/,
    ],
    [
      'edited.linscope.json',
      JSON.stringify({ ...parsed, result: { ...parsed.result, layers: 'many' } }),
      /“edited\.linscope\.json”: This LinScope file is damaged/,
    ],
    // One byte over the limit: its size is said in the limit's units (rounded up), not as 67 MB.
    [
      'oversized.linscope.json',
      Buffer.alloc(64 * 1024 * 1024 + 1, 0x20),
      /“oversized\.linscope\.json” is 65 MB; LinScope opens files up to 64 MB\./,
    ],
    [
      'future.linscope.json',
      JSON.stringify({ ...parsed, schema: 'linscope.share/v9' }),
      /made by a newer LinScope \(linscope\.share\/v9\)/,
    ],
    ['html.linscope.json', '<script>window.__pwned=1</script>', /This file is not JSON/],
  ];
  const message: Locator = page.getByTestId('link-message');
  for (const [name, content, expected] of files) {
    writeFileSync(join(dir, name), content);
    await page.getByTestId('open-linscope-file').setInputFiles(join(dir, name));
    await expect(message, name).toHaveAttribute('data-kind', 'error');
    await expect(message, name).toContainText(expected);
    await expectKept(page, PROMPT, result, name);
    await message.getByRole('button', { name: 'Dismiss' }).click();
  }
  expect(await pwned(page)).toBeNull();
  expect(errors).toEqual([]);
});

test('a newer LinScope in another tab can upgrade the page’s stores, and this page goes on without them', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  // The worker keeps its fit store open. Another tab opens the same database at a newer version:
  // it must not be blocked (the open connection closes for it).
  const upgrade = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const r = indexedDB.open('linscope', 99);
        r.onblocked = () => resolve('blocked');
        r.onerror = () => resolve(`error: ${r.error?.message}`);
        r.onsuccess = () => {
          r.result.close();
          resolve('upgraded');
        };
      }),
  );
  expect(upgrade).toBe('upgraded');
  // This page can no longer open the newer store: its fits live in memory, and runs go on.
  const result = await shownResult(page);
  await analyze(page, `${PROMPT} Again.`);
  expect(await shownResult(page)).not.toBe(result);
  await analyze(page, PROMPT);
  expect(await shownResult(page)).toBe(result);
  expect(errors).toEqual([]);
});

test('a .linscope.json file whose state disagrees with its result opens with the result’s inputs, and a malformed logit lens is left out', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await analyze(page, PROMPT);
  await expect(page.getByTestId('logit-lens')).toBeVisible();
  const file = JSON.parse(await savedLinscopeText(page));
  const result = await shownResult(page);
  // Another text in the state than the tokens came from, another setting, a lens one state short.
  file.state.input.text = 'A text about something else entirely.';
  file.state.settings.excludeBos = !file.result.settings.excludeBos;
  file.result.logitLens.topId = file.result.logitLens.topId.slice(1);
  const dir = mkdtempSync(join(tmpdir(), 'linscope-disagree-'));
  writeFileSync(join(dir, 'edited.linscope.json'), JSON.stringify(file));
  await page.getByTestId('prompt-input').fill('typed meanwhile');
  await page.getByTestId('open-linscope-file').setInputFiles(join(dir, 'edited.linscope.json'));
  const message = page.getByTestId('link-message');
  await expect(message).toHaveAttribute('data-kind', 'notes');
  await expect(message).toContainText('text is not the text its tokens came from');
  await expect(message).toContainText('settings (excludeBos) differ from those its result was computed with');
  await expect(message).toContainText('The logit lens was malformed (topId does not have one row per state');
  // The text box holds the text of the tokens (after the BOS the page added), the charts the result.
  await expect(page.getByTestId('prompt-input')).toHaveValue(new RegExp(`${PROMPT.replace(/[.]/g, '\\.')}$`));
  expect(await shownResult(page)).toBe(result);
  await expect(page.getByTestId('logit-lens')).toHaveCount(0);
  rmSync(dir, { recursive: true, force: true });
  expect(errors).toEqual([]);
});

test('a model too large for this device is refused before anything is downloaded', async ({
  page,
  backend,
  requests,
}) => {
  const errors = watchErrors(page);
  // A device that reports 256 MB of memory: the budget for weights is 64 MB.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.25, configurable: true });
  });
  await openApp(page, backend);
  await page.getByTestId('model-select').selectOption('Xenova/gpt2');
  await expect(page.getByTestId('analyze-button')).toBeDisabled();
  await expect(page.getByTestId('analyze-hint')).toHaveText(
    "GPT-2 (124M) with q8 weights (≈127 MB) is too large for this device: it reports 256 MB of memory, and a model needs about twice its weights' size in the tab. Choose a smaller model.",
  );
  // A smaller one fits: the hint goes.
  await page.getByTestId('model-select').selectOption('linscope/tiny-gpt2');
  await expect(page.getByTestId('analyze-hint')).toHaveCount(0);
  await analyze(page, PROMPT);
  expect(requests.filter((u) => u.includes('huggingface.co'))).toEqual([]);
  expect(errors).toEqual([]);
});
