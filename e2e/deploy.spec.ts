import { resolve } from 'node:path';
import { E2E_SITE } from './browser';
import { expect, test } from './fixtures';
import { startStaticHost } from './staticHost';

// The built site (made by the web server step, as `npm run build` makes dist/) on a host that cannot set headers, under a
// deep base path: the cross-origin-isolation service worker must make wasm threads work anyway.
test('the built site runs isolated from a sub-path on a host without COOP/COEP headers', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Deployment is backend-independent; checked once, on WASM.');
  const host = await startStaticHost(resolve(E2E_SITE), '/some/deep/path/');
  try {
    await page.goto(`${host.url}?backend=wasm`);
    const badge = page.getByTestId('backend');
    // The service worker reloads the page once it controls it; then the page is isolated.
    await expect(badge).toHaveAttribute('data-isolated', 'true');
    await expect(badge).toHaveAttribute('data-backend', 'wasm');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(Number(await badge.getAttribute('data-threads'))).toBeGreaterThan(1);
    // Pair workers (nested workers sharing the states' memory) start and finish under the service
    // worker's isolation too.
    let pairWorkers = 0;
    page.on('worker', (worker) => {
      if (/pairEntry[^/]*\.js$/.test(worker.url())) pairWorkers++;
    });
    await page.goto(`${host.url}?backend=wasm&threads=2`);
    await expect(badge).toHaveAttribute('data-isolated', 'true');
    await page.getByTestId('analyze-button').click();
    await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
    expect(pairWorkers).toBeGreaterThanOrEqual(2);
  } finally {
    await host.close();
  }
});
