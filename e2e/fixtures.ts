import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BrowserContext, test as base, expect, type Request } from '@playwright/test';
import { keepPageDiary } from './pageDiary';

export type BackendName = 'wasm' | 'webgpu';

interface LinScopeFixtures {
  /** The backend this Playwright project tests (`wasm` or `webgpu`). */
  backend: BackendName;
  /** Every URL the page (and its workers) requested, in order. */
  requests: string[];
  /** What the test's pages said and did, written out when the test fails (`e2e/pageDiary.ts`). */
  pageDiary: undefined;
}

export const test = base.extend<LinScopeFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; it has none.
  backend: async ({}, use, testInfo) => {
    await use(testInfo.project.metadata.backend === 'webgpu' ? 'webgpu' : 'wasm');
  },
  requests: async ({ context }, use) => {
    const seen: string[] = [];
    await context.route('**/*', (route) => {
      seen.push(route.request().url());
      return route.continue();
    });
    await use(seen);
  },
  pageDiary: [
    async ({ context }, use, testInfo) => {
      await keepPageDiary(context, testInfo, () => use(undefined));
    },
    { auto: true },
  ],
});

/**
 * Open LinScope on the project's backend and wait until the worker has proved the runtime runs.
 * On the WebGPU project, skip (with the browser's reason) where no adapter exists.
 */
export async function openApp(
  page: import('@playwright/test').Page,
  backend: BackendName,
  query = '',
): Promise<void> {
  await page.goto(`./?backend=${backend}${query ? `&${query}` : ''}`);
  const badge = page.getByTestId('backend');
  await expect(badge).not.toHaveText(/Starting runtime/);
  if (backend === 'webgpu' && (await badge.getAttribute('data-backend')) !== 'webgpu') {
    test.skip(true, `No WebGPU adapter in this Chromium: ${await badge.textContent()}`);
  }
  await expect(badge).toHaveAttribute('data-backend', backend);
}

/**
 * Open stories260K the way a user does: its llama2.c checkpoint and tokenizer from ../shared, given to
 * "Open a llama2.c checkpoint", converted in the page; it is then the selected model.
 */
export async function openStories260K(page: import('@playwright/test').Page): Promise<void> {
  const shared = resolve('../shared/models/stories260K');
  await page.getByText('Another model…').click();
  await page
    .getByTestId('llama2c-input')
    .setInputFiles([join(shared, 'stories260K.bin'), join(shared, 'tok512.bin')]);
  await expect(page.getByTestId('model-select')).toHaveValue('local/stories260K');
}

/**
 * Collects what must never happen on a page: uncaught errors, and dialogs (an injected `alert` that
 * ran; dismissed so the page goes on). Tests end with `expect(errors).toEqual([])`.
 */
export function watchErrors(page: import('@playwright/test').Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return errors;
}

/**
 * A fake Hugging Face Hub for `context`: the files of the local folder `dir` under
 * https://huggingface.co/<id>/resolve/main/<file> (404 for anything else), with the CORS headers the
 * Hub sends. `onRequest` sees every request to it; the paths it served are returned (live).
 */
export async function serveFakeHub(
  context: BrowserContext,
  id: string,
  dir: string,
  onRequest?: (request: Request) => Promise<void> | void,
): Promise<string[]> {
  const served: string[] = [];
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    'Access-Control-Expose-Headers': 'Content-Length, Content-Range, ETag',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  await context.route('https://huggingface.co/**', async (route) => {
    await onRequest?.(route.request());
    const url = new URL(route.request().url());
    if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const prefix = `/${id}/resolve/main/`;
    const file = url.pathname.startsWith(prefix) ? join(dir, url.pathname.slice(prefix.length)) : '';
    if (!file || !existsSync(file) || !statSync(file).isFile())
      return route.fulfill({ status: 404, headers: cors, body: 'Entry not found' });
    served.push(url.pathname);
    return route.fulfill({
      status: 200,
      headers: { ...cors, 'Content-Type': 'application/octet-stream' },
      body: readFileSync(file),
    });
  });
  return served;
}

export { forgetReferenceFits } from './browser';
export { expect };
