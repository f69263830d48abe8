/// <reference lib="webworker" />
import { LinScopeError } from '../errors';
import { toWireError } from './errors';
import { handleProbe } from './handlers';
import type { WorkerEvent, WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
}

const running = new Map<number, AbortController>();

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  switch (request.type) {
    case 'cancel':
      running.get(request.id)?.abort();
      return;
    case 'probe': {
      const controller = new AbortController();
      running.set(request.id, controller);
      try {
        const info = await handleProbe(request.backend, request.assetBase);
        post({ type: 'backend', id: request.id, info });
      } catch (error) {
        const wrapped =
          error instanceof LinScopeError
            ? error
            : new LinScopeError('RUNTIME', error instanceof Error ? error.message : String(error));
        post({ type: 'error', id: request.id, error: toWireError(wrapped) });
      } finally {
        running.delete(request.id);
      }
      return;
    }
    default: {
      const unknown: never = request;
      post({
        type: 'error',
        id: -1,
        error: toWireError(new LinScopeError('BAD_INPUT', `unknown request ${JSON.stringify(unknown)}`)),
      });
    }
  }
};
