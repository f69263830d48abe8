/**
 * Auto picks the runtime a user would want: WASM when the only WebGPU adapter is a software one
 * (SwiftShader runs the default prompt ~4x slower than WASM), and the choice survives a reload.
 */
import { expect, test } from './fixtures';

test('Auto passes over a software-only WebGPU adapter for WASM and says so', async ({ page, backend }) => {
  test.skip(backend !== 'webgpu', 'needs the project whose Chromium offers SwiftShader');
  await page.goto('./');
  const badge = page.getByTestId('backend');
  await expect(badge).not.toHaveText(/Starting runtime/);
  await expect(page.getByTestId('backend-select')).toHaveValue('auto');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  // Headless Chromium's SwiftShader names nothing in GPUAdapterInfo; it flags itself as a fallback.
  await expect(badge).toHaveAttribute('data-skipped-adapter', /swiftshader|fallback/i);
  await expect(badge).toHaveText(/^WASM · .*the only GPU is a software one/);
  await expect(badge).toHaveAttribute('title', /runs on the CPU, where WASM is faster\. Choose WebGPU/);

  // Asking for WebGPU explicitly still gets it, and the choice is there after a reload.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  await expect(badge).toHaveText(/^WebGPU · /);
  await page.goto('./');
  await expect(page.getByTestId('backend-select')).toHaveValue('webgpu');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
});

test('the backend the user chose survives a reload; ?backend= still wins', async ({ page, backend }) => {
  test.skip(backend !== 'wasm', 'one project is enough: no adapter is involved');
  await page.goto('./');
  const badge = page.getByTestId('backend');
  await expect(badge).not.toHaveText(/Starting runtime/);
  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  await page.reload();
  await expect(page.getByTestId('backend-select')).toHaveValue('wasm');
  await page.goto('./?backend=auto');
  await expect(page.getByTestId('backend-select')).toHaveValue('auto');
});
