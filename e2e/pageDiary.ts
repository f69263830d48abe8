/**
 * A diary of a test's pages, for the failures seen only on another machine (CI), where the trace is
 * lost with the machine: what the pages and their workers wrote to the console, page errors and
 * crashes, workers started and ended, downloads, every change of the run's status (`data-state`),
 * main-thread tasks over a second, and, when the test failed, whether each page still answers (its
 * main thread) and still draws frames (Playwright's clicks wait for two frames to find an element
 * stable), and the machine's load and free memory then. Written to the test's output folder as
 * page-diary.txt only when the test failed; `npm test` prints the end of each such diary above its
 * summary (`scripts/test.mjs`).
 */
import { writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { BrowserContext, Page, TestInfo } from '@playwright/test';

/** The diary's name among the test's attachments (`scripts/test.mjs` looks for it by name). */
const PAGE_DIARY = 'page-diary';
const KEEP_LINES = 400;
const LINE_CHARS = 240;
const PROBE_MS = 5_000;

/** In each page: its status's changes and its long main-thread tasks, said on the console. */
function watchInPage(): void {
  new MutationObserver((records) => {
    for (const record of records) {
      const element = record.target;
      if (element instanceof Element && element.getAttribute('data-testid') === 'status')
        console.debug(`[diary] status ${element.getAttribute('data-state')}: ${element.textContent}`);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (entry.duration > 1_000)
          console.debug(`[diary] main thread busy ${Math.round(entry.duration)} ms in one task`);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No long-task timing in this browser: the diary goes without it.
  }
}

function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname.split('/').pop() || parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/** `promise`'s value, or null when it takes longer than `ms` or fails (the failure is noted). */
async function within<T>(promise: Promise<T>, ms: number, onError: (e: unknown) => void): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([
      promise.catch((e: unknown) => {
        onError(e);
        return null;
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Keeps the diary of `context`'s pages while `run` (the test) runs; when the test failed, asks each
 * page still open whether it answers and draws, and writes the diary out.
 */
export async function keepPageDiary(
  context: BrowserContext,
  testInfo: TestInfo,
  run: () => Promise<void>,
): Promise<void> {
  const start = Date.now();
  const lines: string[] = [];
  const note = (what: string) => {
    const seconds = ((Date.now() - start) / 1000).toFixed(2).padStart(7);
    lines.push(`${seconds} s  ${what.replace(/\s+/g, ' ').slice(0, LINE_CHARS)}`);
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
  };
  const pages = new Map<Page, number>();
  const watch = (page: Page) => {
    const n = pages.size + 1;
    pages.set(page, n);
    note(`page ${n} opened`);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) note(`page ${n} at ${shortUrl(frame.url())}`);
    });
    page.on('pageerror', (e) => note(`page ${n} uncaught: ${e.message}`));
    page.on('crash', () => note(`page ${n} CRASHED`));
    page.on('close', () => note(`page ${n} closed`));
    page.on('worker', (worker) => {
      note(`page ${n} worker started: ${shortUrl(worker.url())}`);
      worker.on('close', () => note(`page ${n} worker ended: ${shortUrl(worker.url())}`));
    });
    page.on('download', (download) => note(`page ${n} download: ${download.suggestedFilename()}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  context.on('console', (message) => {
    const worker = message.worker();
    const page = message.page();
    const who = worker ? `worker ${shortUrl(worker.url())}` : `page ${page ? (pages.get(page) ?? '?') : '?'}`;
    note(`${who} console.${message.type()}: ${message.text()}`);
  });
  await context.addInitScript(watchInPage);
  await run();
  if (testInfo.status === testInfo.expectedStatus) return;
  note(
    `test ${testInfo.status} after ${(testInfo.duration / 1000).toFixed(1)} s; probing the pages still open`,
  );
  const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  note(
    `machine: load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} (1/5/15 min) on ${cpus().length} cores; ${gb(freemem())} of ${gb(totalmem())} GB free`,
  );
  for (const [page, n] of pages) {
    if (page.isClosed()) continue;
    const onError = (e: unknown) =>
      note(`page ${n} probe failed: ${e instanceof Error ? e.message : String(e)}`);
    const answer = await within(
      page.evaluate(() => ({
        visibility: document.visibilityState,
        focused: document.hasFocus(),
        status: document.querySelector('[data-testid="status"]')?.textContent ?? null,
      })),
      PROBE_MS,
      onError,
    );
    note(
      answer
        ? `page ${n} answers: ${JSON.stringify(answer)}`
        : `page ${n} main thread: no answer within ${PROBE_MS / 1000} s`,
    );
    const drew = await within(
      page.evaluate(() => new Promise<boolean>((resolve) => requestAnimationFrame(() => resolve(true)))),
      PROBE_MS,
      onError,
    );
    note(
      drew
        ? `page ${n} draws frames`
        : `page ${n} drew no frame within ${PROBE_MS / 1000} s (Playwright's actions wait for frames)`,
    );
  }
  const path = testInfo.outputPath('page-diary.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  await testInfo.attach(PAGE_DIARY, { path, contentType: 'text/plain' });
}
