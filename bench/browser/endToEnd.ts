/**
 * End to end in the app: Analyze clicked -> heatmap painted, each phase's share read off the status
 * line, for the embedded model and the GPT-2-small-shaped one, with the renderer's peak memory; and
 * the time to the first useful view (the run's first view up: scores on the text, companions, logit
 * lens, while the reference is fitted) beside the time to the complete view (the heatmap painted).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { BASE_CHROMIUM_ARGS, forgetReferenceFits, WEBGPU_CHROMIUM_ARGS } from '../../e2e/browser';
import { BENCH_MODEL_DIR, BENCH_MODEL_ID, type Figure, figure, log, mb } from '../lib';
import { textOfTokens } from '../texts';
import { CHROMIUM, PROFILE_DIR, TINY_DIR, TINY_ID } from './paths';
import { peakRendererBytes, sampleRendererPeak } from './rendererProcesses';

// ---- end to end in the app ----

interface RunTrace {
  /** ms from the click, per phase. */
  phases: Record<string, number>;
  /** ms from the click to the heatmap painted: the complete view. */
  total: number;
  /** ms from the click to the first view on screen (the text's scores, before the reference), or null if none showed. */
  firstView: number | null;
  /** ms from the click to the reference view (heatmap and scores, the fit's check running), or null if none showed. */
  referenceView: number | null;
}

const PHASES: [string, RegExp][] = [
  ['load', /Loading the model|Downloading|Preparing the model|Model ready/],
  ['forward (text)', /Running the model on the text/],
  ['forward (reference)', /reference corpus/],
  ['score (reference)', /against the reference/],
  ['fit', /Fitting the reference/],
  ['score', /Scoring layer pairs: /],
  ['companions', /Companion metrics/],
  ['render', /^Done\.$/],
];

/**
 * Installed once per page: logs each status line with its time, and when the heatmap is painted.
 * Plain JavaScript in a string: tsx's transform would add helpers the page does not have.
 */
const TRACER = `(() => {
  const b = (window.__bench = { t0: 0, log: [], painted: null, done: false, firstView: null, referenceView: null });
  let last = '';
  const check = () => {
    if (b.firstView === null && document.querySelector('[data-testid="live-results"][data-view="first-view"]'))
      b.firstView = performance.now();
    if (b.referenceView === null && document.querySelector('[data-testid="live-results"][data-view="reference-view"]'))
      b.referenceView = performance.now();
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

export async function clickAnalyze(page: Page): Promise<RunTrace> {
  await page.waitForSelector('[data-testid="analyze-button"]:not([disabled])', { timeout: 120_000 });
  await page.evaluate(() => {
    const b = (
      window as unknown as {
        __bench: {
          t0: number;
          log: unknown[];
          painted: number | null;
          done: boolean;
          firstView: number | null;
          referenceView: number | null;
        };
      }
    ).__bench;
    b.log = [];
    b.painted = null;
    b.done = false;
    b.firstView = null;
    b.referenceView = null;
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
      (
        window as unknown as {
          __bench: {
            t0: number;
            log: { t: number; text: string }[];
            painted: number;
            firstView: number | null;
            referenceView: number | null;
          };
        }
      ).__bench,
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
  const since = (t: number | null) => (t === null ? null : t - trace.t0);
  return { phases, total, firstView: since(trace.firstView), referenceView: since(trace.referenceView) };
}

export async function openApp(
  context: BrowserContext,
  base: string,
  params: Record<string, string>,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}?${new URLSearchParams(params)}`);
  await page.evaluate(TRACER);
  await page.waitForSelector('[data-testid="analyze-button"]:not([disabled])', { timeout: 120_000 });
  return page;
}

export async function withProfile<T>(
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
  const firstViews = runs.flatMap((r) => (r.firstView === null ? [] : [r.firstView]));
  if (firstViews.length > 0)
    figures.push(
      figure(`${id}.firstView`, `  time to first useful view`, 'ms', firstViews, {
        note: 'first view on screen: the text’s scores, companions, logit lens, before the reference part',
      }),
      figure(
        `${id}.completeView`,
        `  time to complete view`,
        'ms',
        runs.map((r) => r.total),
        { note: 'heatmap painted' },
      ),
    );
  const referenceViews = runs.flatMap((r) => (r.referenceView === null ? [] : [r.referenceView]));
  if (referenceViews.length > 0)
    figures.push(
      figure(`${id}.referenceView`, `  time to the heatmap (reference view)`, 'ms', referenceViews, {
        note: 'reference view on screen: heatmap and held-out scores, while the fit is checked on held-out reference text',
      }),
    );
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

export async function endToEnd(
  base: string,
  options: { quick: boolean; webgpu: boolean },
): Promise<Figure[]> {
  const QUICK = options.quick;
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

  if (options.webgpu && haveTiny) {
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
    const watched = sampleRendererPeak(PROFILE_DIR);
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
    const highWater = peakRendererBytes(PROFILE_DIR);
    const sampled = watched.stop();
    const peak = sampled ?? highWater;
    if (highWater !== null && sampled !== null)
      log(
        `  renderer peak: ${Math.round(mb(sampled))} MB sampled every 200 ms, ${Math.round(mb(highWater))} MB by VmHWM at the end`,
      );
    // The same first run (fit not cached), in a fresh page whose user took their time: Analyze is
    // pressed once the page has loaded the model ahead (`model-load-ahead` ready), as it does while
    // someone writes or pastes the text.
    await page.close();
    const ahead = await openApp(context, base, { model: BENCH_MODEL_ID, backend: 'wasm', prompt: text256 });
    await forgetReferenceFits(ahead);
    await ahead.waitForSelector('[data-testid="model-load-ahead"][data-state="ready"]', { timeout: 300_000 });
    log('browser e2e: GPT-2-small-shaped, 256 tokens, first run on the model loaded ahead');
    const firstAhead = await clickAnalyze(ahead);
    log(`  ${(firstAhead.total / 1000).toFixed(1)} s`);
    figures.push(
      ...runFigures(
        'e2e.wasm.gpt2.T256.firstLoadedAhead',
        'E2E WASM, GPT-2-small-shaped, 256 tokens, first run, model loaded ahead',
        [firstAhead],
        'fresh page, Analyze pressed once the page had loaded the model ahead (before its reference fit ahead begins); reference fit not cached',
      ),
    );
    // Fresh pages whose user took longer over the text, the fits forgotten first (from a page that
    // never opens them: a worker that has read the store keeps what it read).
    await ahead.close();
    const freshPage = async () => {
      const cleaner = await openApp(context, base, { backend: 'wasm', referenceAhead: '0' });
      await forgetReferenceFits(cleaner);
      await cleaner.close();
      return openApp(context, base, { model: BENCH_MODEL_ID, backend: 'wasm', prompt: text256 });
    };
    // Analyze pressed while the page fits the reference ahead (15 s into it): the run's first view
    // waits for the reference window under way, then the run waits for that fit.
    const during = await freshPage();
    await during.waitForSelector('[data-testid="reference-ahead"][data-state="fitting"]', {
      timeout: 300_000,
    });
    await during.waitForTimeout(15_000);
    log('browser e2e: GPT-2-small-shaped, 256 tokens, first run pressed 15 s into the reference fit ahead');
    const firstDuring = await clickAnalyze(during);
    log(`  ${(firstDuring.total / 1000).toFixed(1)} s`);
    await during.close();
    figures.push(
      ...runFigures(
        'e2e.wasm.gpt2.T256.firstDuringReferenceAhead',
        'E2E WASM, GPT-2-small-shaped, 256 tokens, first run, pressed 15 s into the reference fit ahead',
        [firstDuring],
        'fresh page, model loaded ahead, Analyze pressed 15 s after the page began fitting the reference ahead',
      ),
    );
    // The page has loaded the model and then fitted the reference ahead (`reference-ahead` fitted).
    const prepared = await freshPage();
    await prepared.waitForSelector('[data-testid="reference-ahead"][data-state="fitted"]', {
      timeout: 900_000,
    });
    const fittedAt = await prepared.evaluate(() => performance.now());
    log(
      `browser e2e: GPT-2-small-shaped, reference fitted ahead ${(fittedAt / 1000).toFixed(1)} s after the page opened`,
    );
    const firstPrepared = await clickAnalyze(prepared);
    log(`  first run after it: ${(firstPrepared.total / 1000).toFixed(1)} s`);
    figures.push(
      figure(
        'e2e.wasm.gpt2.referenceAhead',
        'E2E WASM, GPT-2-small-shaped: page opened to the reference fitted ahead',
        'ms',
        [fittedAt],
        {
          note: 'fresh page, fit not cached: the model loaded ahead and warmed up, then the reference run and fitted in the background',
        },
      ),
      ...runFigures(
        'e2e.wasm.gpt2.T256.firstReferenceAhead',
        'E2E WASM, GPT-2-small-shaped, 256 tokens, first run, model and reference ready ahead',
        [firstPrepared],
        'fresh page, Analyze pressed once the page had loaded the model and fitted the reference ahead',
      ),
    );
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
          'Memory, peak tab + worker (renderer resident set, sampled), GPT-2-small-shaped, T=1024',
          'MB',
          [mb(peak)],
          {
            note: 'over the page: model load, reference fit, runs at 256 and 1024 tokens; the largest VmRSS or VmHWM sampled every 200 ms (VmHWM alone misses peaks)',
          },
        ),
      );
  });

  return figures;
}
