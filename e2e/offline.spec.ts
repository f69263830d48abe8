import { readdirSync } from 'node:fs';
import { E2E_SITE } from './browser';
import { expect, openApp, test } from './fixtures';

test('the page loads and runs with no request to any other origin', async ({
  page,
  backend,
  requests,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? '').origin;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await openApp(page, backend);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');

  const foreign = requests.filter(
    (url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'),
  );
  expect(foreign).toEqual([]);
  // The runtime came from LinScope itself: onnxruntime's wasm was fetched from this origin.
  expect(
    requests.some((url) => url.startsWith(`${origin}/ort/ort-wasm-simd-threaded`) && url.endsWith('.wasm')),
  ).toBe(true);
  // ...and no other copy of it (such as a hashed one under assets/).
  expect(requests.filter((url) => url.endsWith('.wasm') && !url.startsWith(`${origin}/ort/`))).toEqual([]);
  expect(errors).toEqual([]);
});

test('the build ships onnxruntime’s wasm once, in ort/', () => {
  const wasm = readdirSync(E2E_SITE, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.wasm'),
  );
  expect(wasm).toEqual(['ort/ort-wasm-simd-threaded.asyncify.wasm']);
});

test('the page is cross-origin isolated and says which backend it uses', async ({ page, backend }) => {
  await openApp(page, backend);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-isolated', 'true');
  if (backend === 'wasm') {
    const threads = Number(await badge.getAttribute('data-threads'));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(threads).toBe(Math.min(4, cores));
    await expect(badge).toHaveText(new RegExp(`^WASM · ${threads} thread`));
  } else {
    await expect(badge).toHaveText(/^WebGPU · /);
  }
});
