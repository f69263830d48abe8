/**
 * Browser figures, in headless Chromium driven by Playwright, against the app's own build served on
 * loopback (bench/serve.ts):
 *
 * - overhead: the bench page (bench/page) times the augmented vs the plain graph in onnxruntime-web,
 *   in a worker, WASM (and WebGPU on SwiftShader with --webgpu);
 * - end to end: Analyze clicked -> heatmap painted, with each phase's share read off the status line
 *   (the worker's progress events), for the embedded model and the GPT-2-small-shaped one; the model
 *   is already in the browser's cache (a warm-up run puts it there), so no download is timed;
 * - memory: the peak resident set (VmHWM) of the renderer process that holds the tab and its worker.
 * - linalg: the analysis core's linear algebra in a page's worker and its pair workers, next to
 *   numpy on the same states (bench/browser/linalg.ts); needs no model.
 *
 * - soak: 100 analyses and 20 model switches in one tab, memory and storage every 10 (bench/browser/soak.ts).
 *
 *   node --import tsx bench/browser.ts [--quick] [--webgpu] [--skip-build] [--only overhead|linalg|e2e|sweep|soak] [--out FILE]
 *
 * `--quick --only e2e` needs no GPT-2-small-shaped model (it runs the embedded model only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { endToEnd } from './browser/endToEnd';
import { linalgInPage } from './browser/linalg';
import { overhead } from './browser/overhead';
import { APP_DIR, CHROMIUM, PAGE_DIR } from './browser/paths';
import { soak } from './browser/soak';
import { sweepInPage } from './browser/sweep';
import {
  BENCH_MODEL_DIR,
  BENCH_MODEL_FILE,
  BENCH_MODEL_ID,
  type Figure,
  log,
  mb,
  ROOT,
  requireBenchModel,
  writeFigures,
} from './lib';
import { startBenchHost } from './serve';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    webgpu: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

function build(): void {
  log('browser: building the app into bench/out/app and the bench page into bench/out/page');
  const run = (args: string[]) =>
    execFileSync('npx', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  run(['vite', 'build', '--outDir', APP_DIR, '--emptyOutDir', '--logLevel', 'warn']);
  run(['vite', 'build', '-c', 'bench/vite.bench.config.ts', '--logLevel', 'warn']);
}

async function main(): Promise<void> {
  // The soak and the linear algebra need no model; `--quick --only e2e` the embedded model alone.
  const modelFree = values.only === 'soak' || values.only === 'linalg';
  if (!modelFree && !(values.quick && values.only === 'e2e')) requireBenchModel();
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  if (!values['skip-build'] || !existsSync(join(APP_DIR, 'index.html'))) build();
  const host = await startBenchHost({
    '/': APP_DIR,
    '/bench/': PAGE_DIR,
    [`/models/${BENCH_MODEL_ID}/`]: BENCH_MODEL_DIR,
  });
  log(
    `browser: serving on ${host.url}${existsSync(BENCH_MODEL_FILE) ? ` (model ${mb(readFileSync(BENCH_MODEL_FILE).length).toFixed(0)} MB)` : ''}`,
  );
  const figures: Figure[] = [];
  try {
    if (!values.only || values.only === 'overhead') {
      log('browser: hidden-state overhead, WASM');
      figures.push(...(await overhead(host.url, 'wasm', values.quick)));
      if (values.webgpu) {
        log('browser: hidden-state overhead, WebGPU (SwiftShader)');
        figures.push(
          ...(await overhead(host.url, 'webgpu', values.quick).catch((e: unknown) => {
            log(`  WebGPU overhead failed: ${String(e)}`);
            return [];
          })),
        );
      }
    }
    if (!values.only || values.only === 'linalg') {
      log('browser: linear algebra in the page');
      figures.push(...(await linalgInPage(host.url, values.quick)));
    }
    if (!values.only || values.only === 'e2e')
      figures.push(...(await endToEnd(host.url, { quick: values.quick, webgpu: values.webgpu })));
    if (!values.only || values.only === 'sweep')
      figures.push(...(await sweepInPage(host.url, { quick: values.quick })));
    if (values.only === 'soak')
      figures.push(
        ...(await soak(
          host.url,
          values.quick ? { analyses: 20, switches: 6 } : { analyses: 100, switches: 20 },
        )),
      );
  } finally {
    await host.close();
  }
  const chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  writeFigures(figures, { chromium: chromiumVersion });
}

await main();
