/// <reference lib="webworker" />
/** The page's LinScope worker: the message loop (`serve.ts`) on the browser's host. */
import { runtimeNeedsRestart } from '../model/webRuntime';
import { browserHost } from './browserHost';
import { createHandlers } from './handlers';
import type { WorkerRequest } from './protocol';
import { serveRequests } from './serve';

declare const self: DedicatedWorkerGlobalScope;

const serve = serveRequests(createHandlers(browserHost()), (event, transfer) =>
  self.postMessage(
    // After a model failed to load, no other model can load in this worker: the page replaces it.
    event.type === 'error' && runtimeNeedsRestart()
      ? { ...event, error: { ...event.error, restart: true } }
      : event,
    transfer,
  ),
);

self.onmessage = (message: MessageEvent<WorkerRequest>) => void serve(message.data);
