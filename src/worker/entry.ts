/// <reference lib="webworker" />
/** The page's LinScope worker: the message loop (`serve.ts`) on the browser's host. */
import { deviceLossOfFailure, onWebGpuDeviceLost, runtimeSpentBy } from '../model/webRuntime';
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
  if (runtimeSpentBy() !== null) return { ...event, error: { ...event.error, restart: true } };
  return event;
}

onWebGpuDeviceLost((loss) => self.postMessage({ type: 'device-lost', id: 0, loss } satisfies WorkerEvent));

/** Whether the page has been told that this worker's runtime is spent (it then replaces the worker). */
let spentSaid = false;

function post(event: WorkerEvent, transfer: Transferable[]): void {
  const sent = event.type === 'error' ? failureEvent(event) : event;
  self.postMessage(sent, transfer);
  if (spentSaid) return;
  if (sent.type === 'error' && sent.error.restart) spentSaid = true;
  // A model that failed to load where no error was answered (loading or fitting ahead) leaves the
  // runtime spent all the same: the next model would fail with that model's error.
  else {
    const reason = runtimeSpentBy();
    if (reason === null) return;
    spentSaid = true;
    self.postMessage({ type: 'runtime-spent', id: 0, reason } satisfies WorkerEvent);
  }
}

const serve = serveRequests(createHandlers(browserHost()), post);

self.onmessage = (message: MessageEvent<WorkerRequest>) => void serve(message.data);
