/**
 * Linear-algebra bench page: `benchLinalg(request)` runs bench/page/linalg.worker.ts and answers
 * with its timings. Driven by bench/browser/linalg.ts.
 */
import type { LinalgMessage, LinalgRequest } from './linalgProtocol';

declare global {
  interface Window {
    benchLinalg(request: LinalgRequest): Promise<LinalgMessage>;
  }
}

window.benchLinalg = (request) =>
  new Promise((resolve) => {
    const worker = new Worker(new URL('./linalg.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<LinalgMessage>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => resolve({ type: 'error', message: event.message || 'the worker failed' });
    worker.postMessage(request);
  });

const status = document.getElementById('status');
if (status) status.textContent = 'ready';
