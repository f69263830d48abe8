/** Flags that keep Chromium quiet on a machine without network or GPU. */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** WebGPU on SwiftShader (a CPU adapter): a correctness check, not a benchmark. */
export const WEBGPU_CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

/** The e2e tests build into their own folder, so a `npm run build` meanwhile cannot pull files from under them. */
export const E2E_SITE = '.e2e-site';

/** What `forgetReferenceFits` needs of a page (Playwright's, from the test runner or playwright-core). */
interface EvaluatingPage {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
}

/**
 * Deletes the page's IndexedDB database (cached reference fits, recent analyses): the next run fits
 * again. A deletion blocked by an open connection completes once the page's worker closes it.
 */
export async function forgetReferenceFits(page: EvaluatingPage): Promise<void> {
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase('linscope');
        request.onsuccess = resolve;
        request.onerror = reject;
        request.onblocked = resolve;
      }),
  );
}
