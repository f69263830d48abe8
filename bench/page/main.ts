/**
 * Bench page: `benchInit(request)` makes the plain and the augmented session in a worker,
 * `benchRun(graph, tokens)` times one forward pass there. `bench/browser.ts` drives them through
 * Playwright one pass at a time, so that it can read the renderer's CPU time around each pass.
 */
import type { Graph, OverheadCommand, OverheadMessage, OverheadRequest } from './protocol';

declare global {
  interface Window {
    benchInit(request: OverheadRequest): Promise<OverheadMessage>;
    benchRun(graph: Graph, tokens: number): Promise<OverheadMessage>;
  }
}

const worker = new Worker(new URL('./overhead.worker.ts', import.meta.url), { type: 'module' });
let pending: ((message: OverheadMessage) => void) | null = null;

worker.onmessage = (event: MessageEvent<OverheadMessage>) => {
  const message = event.data;
  if (message.type === 'log') console.log(message.message);
  else pending?.(message);
};
worker.onerror = (event) => pending?.({ type: 'error', message: event.message || 'worker failed' });

function send(command: OverheadCommand): Promise<OverheadMessage> {
  return new Promise((resolve) => {
    pending = resolve;
    worker.postMessage(command);
  });
}

window.benchInit = (request) => send({ type: 'init', request });
window.benchRun = (graph, tokens) => send({ type: 'run', graph, tokens });

const status = document.getElementById('status');
if (status) status.textContent = 'ready';
