/// <reference lib="webworker" />
/** The page's LinScope worker: the message loop (`serve.ts`) on the browser's host. */
import { browserHost } from './browserHost';
import { createHandlers } from './handlers';
import type { WorkerRequest } from './protocol';
import { serveRequests } from './serve';

declare const self: DedicatedWorkerGlobalScope;

const serve = serveRequests(createHandlers(browserHost()), (event, transfer) =>
  self.postMessage(event, transfer),
);

self.onmessage = (message: MessageEvent<WorkerRequest>) => void serve(message.data);
