import { fromWireError } from './errors';
import type { BackendChoice, BackendInfo, WorkerEvent, WorkerRequest } from './protocol';

type Pending = { resolve: (event: WorkerEvent) => void; reject: (error: Error) => void };

/**
 * The page's side of the worker protocol: one module worker, requests matched to replies by id.
 * The worker stays out of the main bundle; only its types are shared.
 */
export class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'linscope' });
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.receive(message.data);
    this.worker.onerror = (event) => {
      const error = new Error(`The LinScope worker failed: ${event.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private receive(event: WorkerEvent): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    this.pending.delete(event.id);
    if (event.type === 'error') pending.reject(fromWireError(event.error));
    else pending.resolve(event);
  }

  private send(request: WorkerRequest): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Settle the backend (WebGPU or WASM) and prove it runs. */
  async probe(backend: BackendChoice): Promise<BackendInfo> {
    const id = this.nextId++;
    const event = await this.send({ type: 'probe', id, backend, assetBase: document.baseURI });
    if (event.type !== 'backend') throw new Error(`unexpected reply ${event.type} to probe`);
    return event.info;
  }

  terminate(): void {
    this.worker.terminate();
  }
}
