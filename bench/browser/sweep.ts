/**
 * The block-replacement sweep in the page (WASM): after an analysis of a 256-token text, "Run the
 * sweep" clicked -> the experiment's status says done. The first sweep includes loading the
 * block-replacement session next to the model (and the reference fit is cached from the analysis);
 * the second is the sweep alone. For the embedded model, and the GPT-2-small-shaped one unless --quick.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { BENCH_MODEL_DIR, BENCH_MODEL_ID, type Figure, figure, log } from '../lib';
import { textOfTokens } from '../texts';
import { clickAnalyze, openApp, withProfile } from './endToEnd';
import { PROFILE_DIR, TINY_DIR, TINY_ID } from './paths';

/**
 * Clicks "Run the sweep" and resolves with the ms until the experiment's status is `done` again,
 * measured in the page: a second sweep's status is `done` before the click, so it waits for a
 * `done` that follows another state. Plain JavaScript in a string: tsx's transform would add
 * helpers (`__name`) the page does not have.
 */
const TIME_SWEEP = `new Promise((resolve, reject) => {
  const status = () => document.querySelector('[data-testid="linearize-status"]');
  let left = false;
  const started = performance.now();
  const observer = new MutationObserver(() => {
    const state = status() ? status().getAttribute('data-state') : null;
    if (state !== 'done') left = true;
    if (state === 'error') {
      observer.disconnect();
      const error = document.querySelector('[data-testid="linearize-error"]');
      reject(new Error(error ? error.textContent : 'error'));
    } else if (left && state === 'done') {
      observer.disconnect();
      resolve(performance.now() - started);
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  document.querySelector('[data-testid="run-sweep"]').click();
})`;

async function timeSweep(page: Page): Promise<number> {
  await page.waitForSelector('[data-testid="run-sweep"]:not([disabled])', { timeout: 120_000 });
  return (await page.evaluate(TIME_SWEEP)) as number;
}

async function sweepFigures(
  base: string,
  id: string,
  dir: string,
  key: string,
  label: string,
): Promise<Figure[]> {
  const text = await textOfTokens(dir, 256);
  return withProfile('wasm', async (context) => {
    const page = await openApp(context, base, { model: id, backend: 'wasm', prompt: text });
    await clickAnalyze(page);
    log(`browser sweep: ${label}, 256 tokens`);
    const first = await timeSweep(page);
    const again = await timeSweep(page);
    log(
      `  first ${(first / 1000).toFixed(1)} s (with the block-replacement session), then ${(again / 1000).toFixed(1)} s`,
    );
    const note = '256 tokens, maps from the bundled reference (fit cached by the analysis before)';
    return [
      figure(`linearize.wasm.${key}.sweep`, `Sweep, page (WASM), ${label}`, 'ms', [again], { note }),
      figure(
        `linearize.wasm.${key}.first`,
        `Sweep, page (WASM), ${label}, first (session built)`,
        'ms',
        [first],
        {
          note,
        },
      ),
    ];
  });
}

export async function sweepInPage(base: string, options: { quick: boolean }): Promise<Figure[]> {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  const figures: Figure[] = [];
  if (existsSync(join(TINY_DIR, 'onnx', 'model.onnx')))
    figures.push(...(await sweepFigures(base, TINY_ID, TINY_DIR, 'tiny', 'embedded model')));
  if (!options.quick)
    figures.push(
      ...(await sweepFigures(base, BENCH_MODEL_ID, BENCH_MODEL_DIR, 'gpt2', 'GPT-2-small-shaped')),
    );
  return figures;
}
