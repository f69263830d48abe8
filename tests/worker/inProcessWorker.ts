/**
 * A LinScope worker in-process, for tests of the message layer: requests go through `serveRequests`
 * with the real handlers on a Node host, and every event crosses a structured clone with its transfer
 * list, as postMessage would copy and move it.
 */
import { createHandlers } from '../../src/worker/handlers';
import type { WorkerEvent, WorkerRequest } from '../../src/worker/protocol';
import { serveRequests } from '../../src/worker/serve';
import { nodeWorkerHost } from './nodeHost';

export interface Posted {
  event: WorkerEvent;
  transfer: Transferable[];
}

/** A worker in-process: send requests, read what it posted (after a structured clone with transfer). */
export function inProcessWorker() {
  const host = nodeWorkerHost();
  const posted: Posted[] = [];
  const serve = serveRequests(createHandlers(host), (event, transfer) => {
    posted.push({ event: structuredClone(event, { transfer }), transfer });
  });
  let nextId = 1;
  const events = (id: number) => posted.filter((p) => p.event.id === id);
  return {
    host,
    posted,
    events,
    /** Sends a request and resolves with its events once its final one was posted. */
    async request(body: Record<string, unknown> & { type: WorkerRequest['type'] }, id = nextId++) {
      await serve({ ...body, id } as WorkerRequest);
      return events(id);
    },
    serve,
    newId: () => nextId++,
  };
}

export const finalEvent = (posted: Posted[]) => posted[posted.length - 1].event;
