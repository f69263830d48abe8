/**
 * A lost WebGPU device (docs/reliability.md, case 39): LinScope moves to WASM, says so, keeps the
 * prompt, settings and result, and the next analysis (or the one under way) runs on the CPU with
 * the same numbers. WebGPU project only (SwiftShader).
 *
 * The loss is real: the test destroys onnxruntime's own GPUDevice in the analysis worker, which
 * settles `device.lost` with reason `destroyed` as a driver reset would with `unknown`. The product
 * has no hook for it: onnxruntime keeps the device inside its module, so the test reaches it
 * through Playwright's handle on the worker (`worker.evaluate`), by noting which device the
 * WebGPU methods are called on from then on (they live on `GPUDevice.prototype`).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page, Worker } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { getTensor, readSafetensors, toFloat32 } from '../src/share/safetensors';
import { maxAbsDiff, relativeError } from '../tests/support/compare';
import { expect, test, watchErrors } from './fixtures';

const ROOT = resolve('.');
const CORPUS = readFileSync(join(ROOT, 'public/corpus/reference-en.txt'), 'utf8');
/** One window of the embedded model (~250 tokens: more than d = 128, so every linearity is a number). */
const PROMPT = CORPUS.slice(0, 1000);
/** Many windows: long enough on SwiftShader to lose the device in the middle of the run. */
const LONG_TEXT = CORPUS.slice(0, 12_000);

test.beforeEach(({ backend }) => {
  test.skip(backend !== 'webgpu', 'needs the project whose Chromium offers WebGPU (SwiftShader)');
});

/** The page on WebGPU, chosen in the Backend menu (Auto passes over SwiftShader), so it is remembered. */
async function openOnWebGpu(page: Page): Promise<Worker> {
  await page.goto('./');
  const badge = page.getByTestId('backend');
  await expect(badge).not.toHaveText(/Starting runtime/);
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  // No reference corpus: fitting it takes minutes on SwiftShader, and the text's own scores suffice.
  await page.locator('.settings-panel > summary').click();
  await page.getByTestId('reference-select').selectOption('none');
  const worker = page.workers().find((w) => /\/entry-[^/]*\.js$/.test(w.url()));
  if (!worker) throw new Error(`no analysis worker among ${page.workers().map((w) => w.url())}`);
  // From now on, every GPUDevice the worker's WebGPU calls go to is noted (onnxruntime's device).
  await worker.evaluate(() => {
    const seen: GPUDevice[] = [];
    (globalThis as unknown as { __seenDevices: GPUDevice[] }).__seenDevices = seen;
    const proto = GPUDevice.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of ['createBuffer', 'createCommandEncoder', 'createBindGroup']) {
      const original = proto[name];
      proto[name] = function (this: GPUDevice, ...args: unknown[]) {
        if (!seen.includes(this)) seen.push(this);
        return original.apply(this, args);
      };
    }
  });
  return worker;
}

/** Destroys the GPUDevice onnxruntime used last in `worker`; how many devices it had used. */
async function destroyGpuDevice(worker: Worker): Promise<number> {
  return worker.evaluate(() => {
    const seen = (globalThis as unknown as { __seenDevices: GPUDevice[] }).__seenDevices;
    seen.at(-1)?.destroy();
    return seen.length;
  });
}

async function analyzed(page: Page): Promise<LinScopeResult> {
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync((await (await download).path()) ?? '', 'utf8'));
}

async function hiddenStates(page: Page): Promise<Float32Array> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-hidden').click();
  const file = readSafetensors(new Uint8Array(readFileSync((await (await download).path()) ?? '')));
  return toFloat32(getTensor(file, 'hidden_states'));
}

/** The notice once the loss is handled; `rerun` when a run was under way. */
function noticeText(rerun: boolean): string {
  return `The GPU stopped (Device was destroyed). LinScope switched to WebAssembly on the CPU: results are the same, only slower.${rerun ? ' The analysis that was running starts again on the CPU.' : ''} This tab stays on the CPU; the next time LinScope is opened it tries WebGPU again, as your Backend choice says (choose WASM there to stay on the CPU).`;
}

test('the GPU lost between runs: a notice, WASM in the badge, everything kept, and the next run gives the same numbers', async ({
  page,
}) => {
  const errors = watchErrors(page);
  const worker = await openOnWebGpu(page);
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('analyze-button').click();
  const onGpu = await analyzed(page);
  expect(onGpu.runtime?.backend).toBe('webgpu');
  const gpuStates = await hiddenStates(page);
  const summary = await page.getByTestId('result-summary').textContent();

  expect(await destroyGpuDevice(worker)).toBeGreaterThan(0);
  const notice = page.getByTestId('device-lost-notice');
  await expect(notice).toHaveText(noticeText(false));
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  await expect(badge).toHaveText(/^WASM · /);
  await expect(badge).toHaveAttribute('data-fallback', 'device-lost');
  // The user's choice stays WebGPU (menu and storage); the prompt, settings and result stay too.
  await expect(page.getByTestId('backend-select')).toHaveValue('webgpu');
  expect(await page.evaluate(() => localStorage.getItem('linscope.backend'))).toBe('webgpu');
  await expect(page.getByTestId('prompt-input')).toHaveValue(PROMPT);
  await expect(page.getByTestId('reference-select')).toHaveValue('none');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('result-summary')).toHaveText(summary ?? '');
  await expect(page.getByTestId('analyze-button')).toBeEnabled();

  // The same analysis on WASM: the same numbers within float32 tolerance (engine.spec.ts's WebGPU bounds).
  await page.getByTestId('analyze-button').click();
  const onCpu = await analyzed(page);
  expect(onCpu.runtime?.backend).toBe('wasm');
  expect(onCpu.tokens).toEqual(onGpu.tokens);
  expect(onCpu.layers.length).toBe(onGpu.layers.length);
  onGpu.layers.forEach((gpu, i) => {
    const cpu = onCpu.layers[i];
    expect(gpu.linearity, `pair ${i} has a score`).not.toBeNull();
    expect(cpu.linearity ?? Number.NaN, `pair ${i} linearity`).toBeCloseTo(gpu.linearity ?? Number.NaN, 3);
    expect(cpu.linearityNoResidual ?? Number.NaN, `pair ${i} without residual`).toBeCloseTo(
      gpu.linearityNoResidual ?? Number.NaN,
      3,
    );
  });
  const cpuStates = await hiddenStates(page);
  expect(maxAbsDiff(cpuStates, gpuStates)).toBeLessThanOrEqual(5e-3);
  expect(relativeError(cpuStates, gpuStates)).toBeLessThanOrEqual(3e-4);
  await expect(notice).toBeVisible();

  // The next visit tries WebGPU again, as the notice said.
  await page.reload();
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  await expect(notice).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the GPU lost during a run: the run starts again on WASM and finishes', async ({ page }) => {
  const errors = watchErrors(page);
  const worker = await openOnWebGpu(page);
  await page.getByTestId('prompt-input').fill(LONG_TEXT);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toContainText(/Running the model on the text: window \d+ of/, {
    timeout: 120_000,
  });
  expect(await destroyGpuDevice(worker)).toBeGreaterThan(0);
  await expect(page.getByTestId('device-lost-notice')).toHaveText(noticeText(true));
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  const result = await analyzed(page);
  expect(result.runtime?.backend).toBe('wasm');
  expect(result.tokens.map((t) => t.text).join('')).toBe(LONG_TEXT);
  await expect(page.getByTestId('prompt-input')).toHaveValue(LONG_TEXT);
  expect(errors).toEqual([]);
});
