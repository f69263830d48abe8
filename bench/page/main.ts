/**
 * Bench page: `window.runOverhead(request)` runs the overhead benchmark in a worker and resolves with
 * its timings; `bench/browser.ts` calls it through Playwright.
 */
import type { OverheadMessage, OverheadRequest } from './protocol';

declare global {
  interface Window {
    runOverhead(request: OverheadRequest): Promise<OverheadMessage>;
  }
}

window.runOverhead = (request) =>
  new Promise((resolve) => {
    const worker = new Worker(new URL('./overhead.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<OverheadMessage>) => {
      const message = event.data;
      if (message.type === 'log') {
        console.log(message.message);
        return;
      }
      worker.terminate();
      resolve(message);
    };
    worker.onerror = (event) => {
      worker.terminate();
      resolve({ type: 'error', message: event.message || 'worker failed to start' });
    };
    worker.postMessage(request);
  });

const status = document.getElementById('status');
if (status) status.textContent = 'ready';
