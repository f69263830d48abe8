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
 *
 *   node --import tsx bench/browser.ts [--quick] [--webgpu] [--skip-build] [--only overhead|e2e] [--out FILE]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { BASE_CHROMIUM_ARGS, WEBGPU_CHROMIUM_ARGS } from '../e2e/browser';
import {
  BENCH_MODEL_DIR,
  BENCH_MODEL_FILE,
  BENCH_MODEL_ID,
  type Figure,
  figure,
  log,
  mb,
  OUT_DIR,
  ROOT,
  requireBenchModel,
  writeFigures,
} from './lib';
import type { Graph, OverheadMessage, OverheadRequest } from './page/protocol';
import { startBenchHost } from './serve';
import { textOfTokens } from './texts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    webgpu: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const QUICK = values.quick;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const APP_DIR = join(OUT_DIR, 'app');
const PAGE_DIR = join(OUT_DIR, 'page');
const PROFILE_DIR = join(OUT_DIR, 'chromium-profile');
const TINY_ID = 'linscope/tiny-gpt2';
const TINY_DIR = join(ROOT, 'public', 'models', 'linscope', 'tiny-gpt2');

function build(): void {
  log('browser: building the app into bench/out/app and the bench page into bench/out/page');
  const run = (args: string[]) =>
    execFileSync('npx', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  run(['vite', 'build', '--outDir', APP_DIR, '--emptyOutDir', '--logLevel', 'warn']);
  run(['vite', 'build', '-c', 'bench/vite.bench.config.ts', '--logLevel', 'warn']);
}

// ---- memory: the renderer's peak resident set, from /proc (Linux) ----

function procStatus(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Renderer processes of the Chromium started with `profile` (its descendants with --type=renderer). */
function rendererPids(profile: string): number[] {
  const procs = new Map<number, { ppid: number; cmd: string }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(pid, { ppid, cmd });
    } catch {
      // gone meanwhile
    }
  }
  const root = [...procs].find(
    ([, p]) => p.cmd.includes(`--user-data-dir=${profile}`) && !p.cmd.includes('--type='),
  );
  if (!root) return [];
  const under = (pid: number): boolean => {
    for (let p = procs.get(pid); p; p = procs.get(p.ppid)) if (p.ppid === root[0]) return true;
    return false;
  };
  return [...procs].filter(([pid, p]) => p.cmd.includes('--type=renderer') && under(pid)).map(([pid]) => pid);
}

function peakRendererBytes(profile: string): number | null {
  const peaks = rendererPids(profile)
    .map((pid) => procStatus(pid, 'VmHWM'))
    .filter((v): v is number => v !== null);
  return peaks.length ? Math.max(...peaks) : null;
}

// ---- overhead in onnxruntime-web ----

/** CPU seconds (user + system) the renderer processes of the Chromium with `profile` have used. */
function rendererCpuSeconds(profile: string): number {
  let ticks = 0;
  for (const pid of rendererPids(profile)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/**
 * The bench page times one pass at a time, alternating plain / augmented (A B B A ...), and the
 * renderer's CPU time is read around each pass: on a shared, loaded machine the wall-clock ratio
 * swings with the other jobs, the CPU-time ratio much less.
 */
async function overhead(base: string, backend: 'wasm' | 'webgpu'): Promise<Figure[]> {
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
    const tokens = gpu || QUICK ? [128] : [128, 1024];
    const kind = backend === 'webgpu' ? `WebGPU on ${ready.adapter} (software adapter)` : 'WASM';
    const note = `onnxruntime-web, ${kind}, ${ready.threads} threads, ${ready.extraOutputs} extra outputs`;
    const name = gpu ? 'WebGPU (SwiftShader, embedded model)' : 'Chromium WASM';
    const figures: Figure[] = [];
    for (const T of tokens) {
      // A pass at T = 128 swings by +-15% from one to the next here: 8 pairs give a median that
      // run-to-run noise moves by a few percent, 4 pairs moved it between 0.96 and 1.13.
      const pairs = QUICK ? 2 : T > 256 ? 2 : 8;
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

// ---- end to end in the app ----

interface RunTrace {
  /** ms from the click, per phase. */
  phases: Record<string, number>;
  total: number;
}

const PHASES: [string, RegExp][] = [
  ['load', /Loading the model|Downloading|Preparing the model|Model ready/],
  ['forward (text)', /Running the model on the text/],
  ['forward (reference)', /reference corpus/],
  ['fit', /Fitting the reference/],
  ['score', /Scoring layer pairs/],
  ['companions', /Companion metrics/],
  ['render', /^Done\.$/],
];

/**
 * Installed once per page: logs each status line with its time, and when the heatmap is painted.
 * Plain JavaScript in a string: tsx's transform would add helpers the page does not have.
 */
const TRACER = `(() => {
  const b = (window.__bench = { t0: 0, log: [], painted: null, done: false });
  let last = '';
  const check = () => {
    const status = document.querySelector('[data-testid="status"]');
    const text = status ? status.textContent : '';
    if (text !== last) {
      last = text;
      b.log.push({ t: performance.now(), text });
      if (status && status.getAttribute('data-state') === 'done') b.done = true;
    }
    const map = document.querySelector('[data-testid="nonlinearity-heatmap"]');
    if (b.done && b.painted === null && map && map.getAttribute('data-state') === 'ready') {
      b.painted = -1;
      // Two frames: the canvas is drawn in an effect after the commit, then composited.
      requestAnimationFrame(() => requestAnimationFrame(() => (b.painted = performance.now())));
    }
  };
  new MutationObserver(check).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'],
  });
})()`;

async function clickAnalyze(page: Page): Promise<RunTrace> {
  await page.waitForSelector('[data-testid="analyze-button"]:not([disabled])', { timeout: 120_000 });
  await page.evaluate(() => {
    const b = (
      window as unknown as { __bench: { t0: number; log: unknown[]; painted: number | null; done: boolean } }
    ).__bench;
    b.log = [];
    b.painted = null;
    b.done = false;
    b.t0 = performance.now();
    (document.querySelector('[data-testid="analyze-button"]') as HTMLButtonElement).click();
  });
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __bench: { painted: number | null } };
      const failed = document.querySelector('[data-testid="status"]')?.getAttribute('data-state') === 'error';
      if (failed)
        throw new Error(document.querySelector('[data-testid="error-message"]')?.textContent ?? 'error');
      return (w.__bench.painted ?? -1) > 0;
    },
    undefined,
    { timeout: 900_000, polling: 100 },
  );
  const trace = await page.evaluate(
    () =>
      (window as unknown as { __bench: { t0: number; log: { t: number; text: string }[]; painted: number } })
        .__bench,
  );
  const phases: Record<string, number> = {};
  const marks = trace.log
    .map((e) => ({ t: e.t - trace.t0, phase: PHASES.find(([, re]) => re.test(e.text))?.[0] ?? null }))
    .filter((e): e is { t: number; phase: string } => e.phase !== null);
  const total = trace.painted - trace.t0;
  // From the click to the first progress line: the request reaching the worker.
  if (marks.length) phases.start = marks[0].t;
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].t : total;
    phases[m.phase] = (phases[m.phase] ?? 0) + end - m.t;
  });
  return { phases, total };
}

async function openApp(context: BrowserContext, base: string, params: Record<string, string>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}?${new URLSearchParams(params)}`);
  await page.evaluate(TRACER);
  await page.waitForSelector('[data-testid="analyze-button"]:not([disabled])', { timeout: 120_000 });
  return page;
}

async function withProfile<T>(
  backend: 'wasm' | 'webgpu',
  body: (context: BrowserContext) => Promise<T>,
): Promise<T> {
  const context = await chromium.launchPersistentContext(PROFILE_DIR, {
    executablePath: CHROMIUM,
    args: backend === 'webgpu' ? [...BASE_CHROMIUM_ARGS, ...WEBGPU_CHROMIUM_ARGS] : BASE_CHROMIUM_ARGS,
  });
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}

/** A run with no reference, only so that the model's files land in the browser's cache. */
async function warmCache(base: string, ids: string[]): Promise<void> {
  await withProfile('wasm', async (context) => {
    for (const id of ids) {
      log(`browser e2e: putting ${id} in the browser cache`);
      const page = await openApp(context, base, { model: id, backend: 'wasm', prompt: 'Hello there.' });
      await page.selectOption('[data-testid="reference-select"]', 'none', { force: true });
      await page.click('[data-testid="analyze-button"]');
      await page.waitForSelector('[data-testid="status"][data-state="done"]', { timeout: 600_000 });
      await page.close();
    }
  });
}

function runFigures(id: string, label: string, runs: RunTrace[], note: string): Figure[] {
  const figures = [
    figure(
      `${id}.total`,
      label,
      'ms',
      runs.map((r) => r.total),
      { note },
    ),
  ];
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
  for (const phase of names)
    figures.push(
      figure(
        `${id}.share.${phase}`,
        `  share: ${phase}`,
        'share',
        runs.map((r) => (r.phases[phase] ?? 0) / r.total),
      ),
    );
  return figures;
}

async function endToEnd(base: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  const haveTiny = existsSync(join(TINY_DIR, 'onnx', 'model.onnx'));
  if (!haveTiny) log(`browser e2e: ${TINY_ID} is not in public/models; skipping the embedded model`);
  const repeats = QUICK ? 1 : 2;
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  await warmCache(base, [...(haveTiny ? [TINY_ID] : []), ...(QUICK ? [] : [BENCH_MODEL_ID])]);

  if (haveTiny) {
    const text = await textOfTokens(TINY_DIR, 256);
    await withProfile('wasm', async (context) => {
      const page = await openApp(context, base, { model: TINY_ID, backend: 'wasm', prompt: text });
      log('browser e2e: embedded model, 256 tokens, first run (model from cache, reference fit)');
      const first = await clickAnalyze(page);
      const runs: RunTrace[] = [];
      for (let i = 0; i < repeats + 1; i++) runs.push(await clickAnalyze(page));
      figures.push(
        ...runFigures(
          'e2e.wasm.tiny.T256.first',
          'E2E WASM, embedded model, 256 tokens, first run',
          [first],
          'model from cache, with the reference fit',
        ),
        ...runFigures(
          'e2e.wasm.tiny.T256',
          'E2E WASM, embedded model, 256 tokens',
          runs,
          'model loaded, reference fit cached',
        ),
      );
    });
  }

  if (values.webgpu && haveTiny) {
    const text = await textOfTokens(TINY_DIR, 256);
    await withProfile('webgpu', async (context) => {
      const page = await openApp(context, base, { model: TINY_ID, backend: 'webgpu', prompt: text });
      log('browser e2e: embedded model on WebGPU (SwiftShader)');
      const first = await clickAnalyze(page);
      const runs: RunTrace[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await clickAnalyze(page));
      figures.push(
        ...runFigures(
          'e2e.webgpu.tiny.T256.first',
          'E2E WebGPU (SwiftShader, software), embedded model, 256 tokens, first run',
          [first],
          'software adapter',
        ),
        ...runFigures(
          'e2e.webgpu.tiny.T256',
          'E2E WebGPU (SwiftShader, software), embedded model, 256 tokens',
          runs,
          'software adapter',
        ),
      );
    });
  }
  // --quick leaves out the GPT-2-small-shaped model here: its reference fit alone takes minutes in WASM.
  if (QUICK) return figures;
  const text256 = await textOfTokens(BENCH_MODEL_DIR, 256);
  const text1024 = await textOfTokens(BENCH_MODEL_DIR, 1024);
  await withProfile('wasm', async (context) => {
    const page = await openApp(context, base, { model: BENCH_MODEL_ID, backend: 'wasm', prompt: text256 });
    log('browser e2e: GPT-2-small-shaped, 256 tokens, first run (model from cache, reference fit)');
    const first = await clickAnalyze(page);
    log(`  ${(first.total / 1000).toFixed(1)} s`);
    const runs256: RunTrace[] = [];
    for (let i = 0; i < repeats; i++) runs256.push(await clickAnalyze(page));
    log('browser e2e: GPT-2-small-shaped, 1024 tokens');
    await page.fill('[data-testid="prompt-input"]', text1024);
    const runs1024: RunTrace[] = [];
    for (let i = 0; i < repeats; i++) runs1024.push(await clickAnalyze(page));
    const peak = peakRendererBytes(PROFILE_DIR);
    figures.push(
      ...runFigures(
        'e2e.wasm.gpt2.T256.first',
        'E2E WASM, GPT-2-small-shaped, 256 tokens, first run',
        [first],
        'model from cache, with the reference fit',
      ),
      ...runFigures(
        'e2e.wasm.gpt2.T256',
        'E2E WASM, GPT-2-small-shaped, 256 tokens',
        runs256,
        'model loaded, reference fit cached',
      ),
      ...runFigures(
        'e2e.wasm.gpt2.T1024',
        'E2E WASM, GPT-2-small-shaped, 1024 tokens',
        runs1024,
        'model loaded, reference fit cached',
      ),
    );
    if (peak !== null)
      figures.push(
        figure(
          'memory.tab.gpt2',
          'Memory, peak tab + worker (renderer VmHWM), GPT-2-small-shaped, T=1024',
          'MB',
          [mb(peak)],
          {
            note: 'over the page: model load, reference fit, runs at 256 and 1024 tokens',
          },
        ),
      );
  });

  return figures;
}

async function main(): Promise<void> {
  requireBenchModel();
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  if (!values['skip-build'] || !existsSync(join(APP_DIR, 'index.html'))) build();
  const host = await startBenchHost({
    '/': APP_DIR,
    '/bench/': PAGE_DIR,
    [`/models/${BENCH_MODEL_ID}/`]: BENCH_MODEL_DIR,
  });
  log(`browser: serving on ${host.url} (model ${mb(readFileSync(BENCH_MODEL_FILE).length).toFixed(0)} MB)`);
  const figures: Figure[] = [];
  try {
    if (!values.only || values.only === 'overhead') {
      log('browser: hidden-state overhead, WASM');
      figures.push(...(await overhead(host.url, 'wasm')));
      if (values.webgpu) {
        log('browser: hidden-state overhead, WebGPU (SwiftShader)');
        figures.push(
          ...(await overhead(host.url, 'webgpu').catch((e: unknown) => {
            log(`  WebGPU overhead failed: ${String(e)}`);
            return [];
          })),
        );
      }
    }
    if (!values.only || values.only === 'e2e') figures.push(...(await endToEnd(host.url)));
  } finally {
    await host.close();
  }
  const chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  writeFigures(figures, { chromium: chromiumVersion });
}

await main();
