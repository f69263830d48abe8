/// <reference lib="webworker" />
/** The page's LinScope worker: the message loop (`serve.ts`) on the browser's host. */
import { deviceLossOfFailure, onWebGpuDeviceLost, runtimeNeedsRestart } from '../model/webRuntime';
import { browserHost } from './browserHost';
import { createHandlers } from './handlers';
import type { WorkerEvent, WorkerRequest } from './protocol';
import { serveRequests } from './serve';

declare const self: DedicatedWorkerGlobalScope;

/** What the worker says about a failed request: a lost GPU, a runtime that must be replaced, or the error. */
function failureEvent(event: Extract<WorkerEvent, { type: 'error' }>): WorkerEvent {
  const loss = deviceLossOfFailure(event.error.message);
  if (loss) return { type: 'device-lost', id: 0, loss };
  // After a model failed to load, no other model can load in this worker: the page replaces it.
  if (runtimeNeedsRestart()) return { ...event, error: { ...event.error, restart: true } };
  return event;
}

onWebGpuDeviceLost((loss) => self.postMessage({ type: 'device-lost', id: 0, loss } satisfies WorkerEvent));

const serve = serveRequests(createHandlers(browserHost()), (event, transfer) =>
  self.postMessage(event.type === 'error' ? failureEvent(event) : event, transfer),
);

self.onmessage = (message: MessageEvent<WorkerRequest>) => void serve(message.data);
