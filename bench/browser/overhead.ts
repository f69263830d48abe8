/** The hidden-state overhead in onnxruntime-web: the bench page (bench/page) in Chromium. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_CHROMIUM_ARGS, WEBGPU_CHROMIUM_ARGS } from '../../e2e/browser';
import { BENCH_MODEL_DIR, BENCH_MODEL_ID, type Figure, figure, log, OUT_DIR } from '../lib';
import type { Graph, OverheadMessage, OverheadRequest } from '../page/protocol';
import { CHROMIUM, TINY_DIR, TINY_ID } from './paths';
import { rendererCpuSeconds } from './rendererProcesses';
/**
 * The bench page times one pass at a time, alternating plain / augmented (A B B A ...), and the
 * renderer's CPU time is read around each pass: on a shared, loaded machine the wall-clock ratio
 * swings with the other jobs, the CPU-time ratio much less.
 */
export async function overhead(base: string, backend: 'wasm' | 'webgpu', quick: boolean): Promise<Figure[]> {
  const profile = join(OUT_DIR, `chromium-overhead-${backend}`);
  rmSync(profile, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: backend === 'webgpu' ? [...BASE_CHROMIUM_ARGS, ...WEBGPU_CHROMIUM_ARGS] : BASE_CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(0);
    page.on('console', (m) => log(`  ${backend}: ${m.text()}`));
    await page.goto(`${base}bench/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    // SwiftShader runs WebGPU on the CPU: one GPT-2-small pass there did not finish in 5 minutes,
    // so WebGPU's overhead is measured on the embedded model.
    const gpu = backend === 'webgpu';
    const config = JSON.parse(readFileSync(join(gpu ? TINY_DIR : BENCH_MODEL_DIR, 'config.json'), 'utf8'));
    const request: OverheadRequest = {
      modelUrl: `${base}models/${gpu ? TINY_ID : BENCH_MODEL_ID}/onnx/model.onnx`,
      assetBase: base,
      backend,
      config,
    };
    const ready = await page.evaluate((r) => window.benchInit(r), request);
    if (ready.type !== 'ready') throw new Error(`overhead in ${backend}: ${JSON.stringify(ready)}`);
    const pass = async (graph: Graph, T: number) => {
      const cpu0 = rendererCpuSeconds(profile);
      const r = await Promise.race([
        page.evaluate(([g, t]) => window.benchRun(g, t), [graph, T] as const),
        new Promise<OverheadMessage>((resolve) =>
          // unref: a pending limit must not keep the process alive once the passes are done.
          setTimeout(
            () => resolve({ type: 'error', message: 'one pass took over 5 minutes' }),
            300_000,
          ).unref(),
        ),
      ]);
      if (r.type !== 'ran') throw new Error(`overhead in ${backend}: ${JSON.stringify(r)}`);
      return { ms: r.ms, cpu: rendererCpuSeconds(profile) - cpu0 };
    };
    const tokens = gpu || quick ? [128] : [128, 1024];
    const kind = backend === 'webgpu' ? `WebGPU on ${ready.adapter} (software adapter)` : 'WASM';
    const note = `onnxruntime-web, ${kind}, ${ready.threads} threads, ${ready.extraOutputs} extra outputs`;
    const name = gpu ? 'WebGPU (SwiftShader, embedded model)' : 'Chromium WASM';
    const figures: Figure[] = [];
    for (const T of tokens) {
      // A pass at T = 128 swings by +-15% from one to the next here: 8 pairs give a median that
      // run-to-run noise moves by a few percent, 4 pairs moved it between 0.96 and 1.13.
      const pairs = quick ? 2 : T > 256 ? 2 : 8;
      await pass('plain', T);
      await pass('augmented', T);
      const a: { ms: number; cpu: number }[] = [];
      const b: { ms: number; cpu: number }[] = [];
      for (let i = 0; i < pairs; i++) {
        if (i % 2 === 0) {
          a.push(await pass('plain', T));
          b.push(await pass('augmented', T));
        } else {
          b.push(await pass('augmented', T));
          a.push(await pass('plain', T));
        }
        log(
          `  ${backend} T=${T} pair ${i + 1}/${pairs}: plain ${a[i].ms.toFixed(0)} ms (CPU ${a[i].cpu.toFixed(1)} s), augmented ${b[i].ms.toFixed(0)} ms (CPU ${b[i].cpu.toFixed(1)} s)`,
        );
      }
      const id = `${backend}.T${T}`;
      figures.push(
        figure(
          `overhead.${id}`,
          `Overhead, ${name}, T=${T} (augmented / plain, wall)`,
          'ratio',
          b.map((x, i) => x.ms / a[i].ms),
          {
            target: backend === 'wasm' ? 1.1 : undefined,
            note,
          },
        ),
        figure(
          `overhead.${id}.cpu`,
          `Overhead, ${name}, T=${T} (augmented / plain, renderer CPU time)`,
          'ratio',
          b.map((x, i) => x.cpu / a[i].cpu),
          {
            target: backend === 'wasm' ? 1.1 : undefined,
          },
        ),
        figure(
          `forward.${id}.plain`,
          `Forward, ${name}, plain graph, T=${T}`,
          'ms',
          a.map((x) => x.ms),
        ),
        figure(
          `forward.${id}.augmented`,
          `Forward, ${name}, augmented graph, T=${T}`,
          'ms',
          b.map((x) => x.ms),
        ),
      );
    }
    // WebGPU's work runs in Chromium's GPU process (SwiftShader), not the renderer: no CPU ratio.
    return gpu ? figures.filter((f) => !f.id.endsWith('.cpu')) : figures;
  } finally {
    await context.close();
  }
}
