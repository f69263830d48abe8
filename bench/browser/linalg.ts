/**
 * The analysis core's linear algebra as the page runs it: bench/page/linalg.html in Chromium (a Web
 * Worker, its pairs over fresh nested pair workers), next to numpy on the same states
 * (tools/bench_linalg.py, default BLAS threads). bench/analysis.bench.ts times the same code in
 * Node's worker threads; the two differ where the engines differ (how a fresh array's memory is
 * obtained, above all: docs/performance.md, "Working arrays reused").
 */
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_CHROMIUM_ARGS } from '../../e2e/browser';
import { type Figure, figure, log, OUT_DIR } from '../lib';
import { numpyLinalg } from '../linalgNumpy';
import { syntheticStates } from '../linalgStates';
import type { LinalgMessage, LinalgRequest } from '../page/linalgProtocol';
import { CHROMIUM } from './paths';

export async function linalgInPage(base: string, quick: boolean): Promise<Figure[]> {
  const request: LinalgRequest = {
    layers: 12,
    tokens: 4096,
    hidden: 768,
    repeats: quick ? 1 : 2,
    threads: Math.min(8, availableParallelism()),
  };
  const profile = join(OUT_DIR, 'chromium-linalg');
  rmSync(profile, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: BASE_CHROMIUM_ARGS,
  });
  let timed: LinalgMessage;
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(0);
    await page.goto(`${base}bench/linalg.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    timed = await page.evaluate((r) => window.benchLinalg(r), request);
  } finally {
    await context.close();
  }
  if (timed.type !== 'timed') throw new Error(`linear algebra in Chromium: ${timed.message}`);
  log(
    `  Chromium (${timed.kernel}): ${timed.oneThread.toFixed(2)} s on one thread, ` +
      `${timed.parallel.toFixed(2)} s on ${timed.threads} pair workers`,
  );

  const { layers: L, tokens: n, hidden: d } = request;
  const [numpy] = numpyLinalg(syntheticStates(L, n, d), request, [{ blasThreads: null }]);
  const np = numpy.normal;
  const agree = Math.max(...timed.linearity.map((v, l) => Math.abs((v ?? Number.NaN) - np.linearity[l])));
  log(
    `  numpy (default BLAS threads): ${np.seconds.toFixed(2)} s; page / numpy ` +
      `${(timed.parallel / np.seconds).toFixed(2)}x; max |score difference| ${agree.toExponential(1)}`,
  );
  if (!(agree <= 1e-9)) throw new Error(`the page's scores differ from numpy's by ${agree}`);
  const note = `L = ${L}, d = ${d}, n = ${n}; best of ${request.repeats}; ${timed.kernel} kernel in Chromium`;
  return [
    figure(
      'linalg.page.ratio.wall',
      `Linear algebra, the page (Chromium, ${timed.threads} pair workers) / numpy (wall-clock, numpy default threads)`,
      'ratio',
      [timed.parallel / np.seconds],
      { target: 1.5, note },
    ),
    figure('linalg.page.threads', `Linear algebra, the page (Chromium, ${timed.threads} pair workers)`, 's', [
      timed.parallel,
    ]),
    figure('linalg.page.1thread', 'Linear algebra, the page (Chromium, 1 thread)', 's', [timed.oneThread]),
    figure('linalg.page.numpy', 'Linear algebra, numpy float64 (default threads), beside the page', 's', [
      np.seconds,
    ]),
  ];
}
