/**
 * Soak: 100 analyses in a row in one tab on the embedded model (varied prompts), then 20 model
 * switches (the embedded model and two fixture folders opened from disk, in turn), on WASM. Every 10
 * runs: the page's JS heap after a forced GC (CDP), the analysis worker's JS heap where Chromium
 * reports it, the renderer process's resident memory (page and workers; /proc VmRSS) and the
 * origin's storage (IndexedDB and Cache API, navigator.storage.estimate). docs/reliability.md has
 * the figures and the bounds checked here.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Figure, figure, log, mb, OUT_DIR, ROOT } from '../lib';
import { openApp, withProfile } from './endToEnd';
import { PROFILE_DIR } from './paths';
import { procStatus, rendererPids } from './rendererProcesses';

/** Growth allowed from the first checkpoint (after 10 runs, everything warm) to the last. */
export const SOAK_BOUNDS_MB = { pageHeap: 16, workerHeap: 32, renderer: 160, storage: 8 } as const;

interface Checkpoint {
  runs: number;
  phase: 'analyses' | 'switches';
  pageHeapMb: number;
  workerHeapMb: number | null;
  rendererMb: number | null;
  storageMb: number;
  indexedDbMb: number | null;
  seconds: number;
}

const CORPUS_PATH = join(ROOT, 'public', 'corpus', 'reference-en.txt');

/** The i-th prompt: a slice of the reference corpus of 200..1400 characters, from a varying offset. */
function prompt(corpus: string, i: number): string {
  const length = 200 + ((i * 373) % 1200);
  const start = (i * 7919) % (corpus.length - length);
  return `${i}: ${corpus.slice(start, start + length)}`;
}

async function analyze(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="prompt-input"]', text);
  await page.click('[data-testid="analyze-button"]');
  await page.waitForFunction(
    () => {
      const state = document.querySelector('[data-testid="status"]')?.getAttribute('data-state');
      if (state === 'error')
        throw new Error(document.querySelector('[data-testid="error-message"]')?.textContent ?? 'error');
      return (
        state === 'done' &&
        document.querySelector('[data-testid="nonlinearity-heatmap"]')?.getAttribute('data-state') === 'ready'
      );
    },
    undefined,
    { timeout: 300_000, polling: 100 },
  );
}

async function measure(
  page: Page,
  runs: number,
  phase: Checkpoint['phase'],
  t0: number,
): Promise<Checkpoint> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  // The analysis worker's heap: performance.memory where the worker has it (Chromium may not).
  let workerHeap: number | null = null;
  for (const worker of page.workers()) {
    if (!/\/entry-[^/]*\.js$/.test(worker.url())) continue;
    workerHeap = await worker
      .evaluate(
        () =>
          (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
      )
      .catch(() => null);
  }
  const storage = await page.evaluate(async () => {
    const e = (await navigator.storage.estimate()) as StorageEstimate & {
      usageDetails?: Record<string, number>;
    };
    return { usage: e.usage ?? 0, indexedDB: e.usageDetails?.indexedDB ?? null };
  });
  const rss = rendererPids(PROFILE_DIR)
    .map((pid) => procStatus(pid, 'VmRSS'))
    .filter((v): v is number => v !== null);
  const point: Checkpoint = {
    runs,
    phase,
    pageHeapMb: mb(usedSize),
    workerHeapMb: workerHeap === null ? null : mb(workerHeap),
    rendererMb: rss.length ? mb(Math.max(...rss)) : null,
    storageMb: mb(storage.usage),
    indexedDbMb: storage.indexedDB === null ? null : mb(storage.indexedDB),
    seconds: (Date.now() - t0) / 1000,
  };
  log(
    `soak: ${phase} ${runs}: page heap ${point.pageHeapMb.toFixed(1)} MB, worker heap ${point.workerHeapMb?.toFixed(1) ?? 'n/a'} MB, ` +
      `renderer ${point.rendererMb?.toFixed(0) ?? 'n/a'} MB, storage ${point.storageMb.toFixed(1)} MB (IndexedDB ${point.indexedDbMb?.toFixed(1) ?? 'n/a'} MB), ${point.seconds.toFixed(0)} s`,
  );
  return point;
}

export async function soak(base: string, options: { analyses: number; switches: number }): Promise<Figure[]> {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  const corpus = (await import('node:fs')).readFileSync(CORPUS_PATH, 'utf8');
  const points: Checkpoint[] = [];
  await withProfile('wasm', async (context) => {
    const page = await openApp(context, base, { backend: 'wasm', threads: '1' });
    const t0 = Date.now();
    for (let i = 1; i <= options.analyses; i++) {
      await analyze(page, prompt(corpus, i));
      if (i % 10 === 0) points.push(await measure(page, i, 'analyses', t0));
    }
    // Model switches: the embedded model and two folders from disk, in turn.
    await page.click('text=Another model…');
    const folders = ['tiny-random-gpt2', 'tiny-random-llama'];
    for (const name of folders) {
      await page.setInputFiles(
        '[data-testid="model-folder-input"]',
        join(ROOT, 'public/models/fixtures', name),
      );
      await page.waitForSelector(`[data-testid="model-select"] option[value="local/${name}"]`, {
        state: 'attached',
      });
    }
    const models = ['linscope/tiny-gpt2', ...folders.map((f) => `local/${f}`)];
    for (let s = 1; s <= options.switches; s++) {
      await page.selectOption('[data-testid="model-select"]', models[s % models.length]);
      await analyze(page, prompt(corpus, 1000 + s));
      if (s % 10 === 0) points.push(await measure(page, s, 'switches', t0));
    }
  });
  writeFileSync(join(OUT_DIR, 'soak-checkpoints.json'), `${JSON.stringify(points, null, 1)}\n`);
  const runs = points.filter((p) => p.phase === 'analyses');
  const growth = (pick: (p: Checkpoint) => number | null): number[] => {
    const values = points.map(pick).filter((v): v is number => v !== null);
    return values.length ? [values[values.length - 1] - values[0]] : [];
  };
  const figures: Figure[] = [];
  const add = (id: string, label: string, values: number[], bound: number) => {
    if (values.length === 0) return;
    figures.push(
      figure(id, label, 'MB', values, {
        target: bound,
        note: `${options.analyses} analyses + ${options.switches} model switches; growth from the first checkpoint`,
      }),
    );
  };
  add(
    'soak.pageHeap.growth',
    'Soak: page JS heap growth (after GC)',
    growth((p) => p.pageHeapMb),
    SOAK_BOUNDS_MB.pageHeap,
  );
  add(
    'soak.workerHeap.growth',
    'Soak: worker JS heap growth',
    growth((p) => p.workerHeapMb),
    SOAK_BOUNDS_MB.workerHeap,
  );
  add(
    'soak.renderer.growth',
    'Soak: renderer resident memory growth',
    growth((p) => p.rendererMb),
    SOAK_BOUNDS_MB.renderer,
  );
  add(
    'soak.storage.growth',
    'Soak: origin storage growth (IndexedDB + cache)',
    growth((p) => p.storageMb),
    SOAK_BOUNDS_MB.storage,
  );
  figures.push(
    figure(
      'soak.pageHeap',
      'Soak: page JS heap at checkpoints',
      'MB',
      runs.map((p) => p.pageHeapMb),
    ),
  );
  const last = points[points.length - 1];
  if (last) figures.push(figure('soak.seconds', 'Soak: wall-clock for the whole soak', 's', [last.seconds]));
  return figures;
}
