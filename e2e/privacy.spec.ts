/**
 * Nothing you type leaves the page: every request the page and its workers make (URL, headers,
 * body) is recorded while the bundled model, a model folder from disk and a Hub model (from a fake
 * Hub that serves a local fixture's files at https://huggingface.co/<id>/resolve/main/<file>) analyse
 * a text; no request carries any part of it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page, Request } from '@playwright/test';
import { expect, openApp, serveFakeHub, test } from './fixtures';

const ROOT = resolve('.');
const SECRET = 'Quokkazebra whispered 7731 to the lighthouse keeper at Vellmarsh';
/** Every word of the text, and the text as URLs and base64 would carry it. */
const NEEDLES = [
  ...SECRET.split(' ').filter((w) => w.length >= 4),
  encodeURIComponent(SECRET),
  Buffer.from(SECRET).toString('base64').slice(0, 24),
];
const HUB_ID = 'fake-org/tiny-qwen2';
const HUB_FILES = join(ROOT, 'public/models/fixtures/tiny-random-qwen2');

interface Recorded {
  url: string;
  method: string;
  headers: string;
  body: string;
}

async function record(request: Request): Promise<Recorded> {
  return {
    url: decodeURIComponent(request.url()),
    method: request.method(),
    headers: JSON.stringify(await request.allHeaders()),
    body: request.postDataBuffer()?.toString('latin1') ?? '',
  };
}

async function analyze(page: Page): Promise<void> {
  await page.getByTestId('prompt-input').fill(SECRET);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
}

test('no request carries any part of the text: bundled model, a folder from disk, a Hub model', async ({
  page,
  context,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'What is sent does not depend on the backend: checked on WASM.');
  const seen: Recorded[] = [];
  // The fake Hub: the fixture's files under https://huggingface.co/<id>/resolve/main/<file>.
  const hubServed = await serveFakeHub(context, HUB_ID, HUB_FILES, async (request) => {
    seen.push(await record(request));
  });
  await context.route(
    (url) => !url.hostname.endsWith('huggingface.co'),
    async (route) => {
      seen.push(await record(route.request()));
      return route.continue();
    },
  );

  // 1. The bundled model.
  await openApp(page, backend);
  await analyze(page);
  // 2. A model folder from disk.
  await page.getByText('Another model…').click();
  await page
    .getByTestId('model-folder-input')
    .setInputFiles(join(ROOT, 'public/models/fixtures/tiny-random-gpt2'));
  await expect(page.getByTestId('model-select')).toHaveValue('local/tiny-random-gpt2');
  await analyze(page);
  // 3. A Hub model, downloaded from the fake Hub once the user allows it.
  await page.getByTestId('hub-id-input').fill(HUB_ID);
  await page.getByTestId('hub-id-input').press('Enter');
  await expect(page.getByTestId('model-select')).toHaveValue(HUB_ID);
  await page.getByTestId('dtype-select').selectOption('fp32');
  await page.getByTestId('prompt-input').fill(SECRET);
  await page.getByTestId('analyze-button').click();
  await page.getByTestId('confirm-download').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const result = JSON.parse(readFileSync((await (await download).path()) ?? '', 'utf8'));
  expect(result.model.id).toBe(HUB_ID);
  expect(result.tokens.map((t: { text: string }) => t.text).join('')).toBe(SECRET);

  // The Hub model really came from the (fake) Hub, and everything else from this origin.
  expect(hubServed).toContain(`/${HUB_ID}/resolve/main/onnx/model.onnx`);
  const origin = new URL(page.url()).origin;
  const elsewhere = seen.filter(
    (r) =>
      !r.url.startsWith(origin) &&
      !r.url.startsWith('https://huggingface.co/') &&
      !/^(data|blob):/.test(r.url),
  );
  expect(elsewhere.map((r) => r.url)).toEqual([]);
  expect(seen.length).toBeGreaterThan(10);
  // No URL, header or body carries any part of the text.
  for (const r of seen) {
    for (const needle of NEEDLES) {
      expect(r.url, `${r.method} ${r.url}`).not.toContain(needle);
      expect(r.headers, `${r.method} ${r.url} headers`).not.toContain(needle);
      expect(r.body, `${r.method} ${r.url} body`).not.toContain(needle);
    }
  }
  // Nothing is sent anywhere with a body at all.
  expect(seen.filter((r) => r.body.length > 0).map((r) => `${r.method} ${r.url}`)).toEqual([]);
});
