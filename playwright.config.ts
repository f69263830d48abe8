import { defineConfig } from '@playwright/test';
import { BASE_CHROMIUM_ARGS, E2E_SITE, WEBGPU_CHROMIUM_ARGS } from './e2e/browser';
import { chromiumExecutableOrNull } from './scripts/chromium.mjs';

const PORT = Number(process.env.LINSCOPE_E2E_PORT ?? 4179);
// Playwright's own browser when there is no other (executablePath undefined).
const executablePath = chromiumExecutableOrNull() ?? undefined;

export default defineConfig({
  testDir: './e2e',
  timeout: 120_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  // One retry, in a fresh browser: headless Chromium now and then stops drawing frames for a page,
  // and every Playwright click waits for frames (CI saw a click wait two minutes on "stable" after the
  // run was done). `npm test` prints the failed attempt's page diary and names each test that needed
  // the retry, so a flake is reported, not hidden; a test that fails twice fails.
  retries: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    trace: 'retain-on-failure',
  },
  // The built site, served by `vite preview` with the same COOP/COEP headers as production hosts.
  webServer: {
    command: `npx vite build --logLevel warn --outDir ${E2E_SITE} --emptyOutDir && npx vite preview --outDir ${E2E_SITE} --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  projects: [
    {
      name: 'wasm',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath, args: BASE_CHROMIUM_ARGS },
      },
      metadata: { backend: 'wasm' },
    },
    {
      name: 'webgpu',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath, args: [...BASE_CHROMIUM_ARGS, ...WEBGPU_CHROMIUM_ARGS] },
      },
      metadata: { backend: 'webgpu' },
    },
  ],
});
