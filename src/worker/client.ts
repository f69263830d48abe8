import type { LayerPairRecord } from '../analysis';
import { LinScopeError } from '../errors';
import type { JobProgress, ProgressPlan } from '../job/progress';
import {
  assembleResult,
  firstViewResult,
  type LinScopeResult,
  type PartialResult,
  partialResult,
  type ResultHead,
  type ResultLinearize,
} from '../job/result';
import { fromWireError } from './errors';
import type {
  AnalyzeRequest,
  BackendChoice,
  BackendInfo,
  FitImportRequest,
  ImportRequest,
  LinearizeRequest,
  ModelRequest,
  TokenCount,
  UserFile,
  WorkerEvent,
  WorkerRequest,
} from './protocol';

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Reply<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;
/** Events before a request's final one. */
type StreamEvent = Extract<WorkerEvent, { type: (typeof STREAM_EVENTS)[number] }>;
const STREAM_EVENTS = ['plan', 'started', 'pair', 'first-view', 'linearize-partial'] as const;

function isStreamEvent(event: WorkerEvent): event is StreamEvent {
  return (STREAM_EVENTS as readonly string[]).includes(event.type);
}

interface Pending {
  resolve: (event: WorkerEvent) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: JobProgress) => void;
  /** Events before the final one: an analysis's head and pairs, an experiment's partial results. */
  onStream?: (event: StreamEvent) => void;
}

/** A running job: its outcome, and a way to stop it (the promise then rejects with code ABORTED). */
export interface Job<T> {
  done: Promise<T>;
  cancel: () => void;
}

/**
 * The page's side of the worker protocol: one module worker, requests matched to replies by id.
 * The worker stays out of the main bundle; only its types are shared.
 *
 * A worker that fails (an uncaught error or a message it cannot read: a crashed runtime, a broken
 * script) is replaced: every request in flight is rejected with a message that says so, the old
 * worker is terminated, and a fresh one is started and probed for the backend the page last asked
 * for before it takes the next request. The page keeps its inputs and result and can run again.
 */
export class WorkerClient {
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The backend last probed for (and the asset base): a replacement worker is probed the same way. */
  private lastProbe: { backend: BackendChoice; assetBase: string } | null = null;
  /** Models opened from disk or converted, by name: a replacement worker is given them again. */
  private readonly opened = new Map<string, RequestBody>();
  /** Resolves once a replacement worker is probed; requests wait for it. */
  private gate: Promise<void> = Promise.resolve();

  constructor() {
    this.worker = this.startWorker();
  }

  private startWorker(): Worker {
    const worker = new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'linscope' });
    worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.receive(message.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.replaceWorker(event.message || 'unknown error');
    };
    worker.onmessageerror = () => this.replaceWorker('a message from it could not be read');
    return worker;
  }

  private replaceWorker(reason: string): void {
    const error = new LinScopeError(
      'RUNTIME',
      `LinScope’s worker failed (${reason}) and was restarted. Your text, settings and results are kept: press Analyze to try again.`,
    );
    const failed = [...this.pending.values()];
    this.pending.clear();
    this.worker.onerror = null;
    this.worker.onmessage = null;
    this.worker.onmessageerror = null;
    this.worker.terminate();
    this.worker = this.startWorker();
    const probe = this.lastProbe;
    if (probe) {
      // The probe, then the models the user opened (they lived in the old worker's memory); later
      // requests go ahead whatever their outcome (a failed probe answers them with its error).
      const setup: RequestBody[] = [{ type: 'probe', ...probe }, ...this.opened.values()];
      this.gate = Promise.all(
        setup.map(
          (body) =>
            new Promise<void>((resolve) => {
              const id = this.nextId++;
              this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
              this.worker.postMessage({ ...body, id } as WorkerRequest);
            }),
        ),
      ).then(() => undefined);
    }
    for (const p of failed) p.reject(error);
  }

  private receive(event: WorkerEvent): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === 'progress') {
      pending.onProgress?.(event.progress);
      return;
    }
    if (isStreamEvent(event)) {
      pending.onStream?.(event);
      return;
    }
    this.pending.delete(event.id);
    if (event.type === 'error') {
      pending.reject(fromWireError(event.error));
      // Its runtime cannot load another model: a fresh worker takes the next request.
      if (event.error.restart) this.replaceWorker('it could not load a model');
    } else pending.resolve(event);
  }

  private send<T extends WorkerEvent['type']>(
    body: RequestBody,
    expect: T,
    onProgress?: (progress: JobProgress) => void,
    onStream?: Pending['onStream'],
  ): Job<Reply<T>> {
    const id = this.nextId++;
    const done = new Promise<Reply<T>>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (event) =>
          event.type === expect
            ? resolve(event as Reply<T>)
            : reject(new LinScopeError('INTERNAL', `unexpected reply ${event.type} to ${body.type}`)),
        reject,
        onProgress,
        onStream,
      });
      const post = () => {
        if (this.pending.has(id)) this.worker.postMessage({ ...body, id } as WorkerRequest);
      };
      void this.gate.then(post);
    });
    return {
      done,
      cancel: () =>
        void this.gate.then(() => this.worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest)),
    };
  }

  /** Settle the backend (WebGPU or WASM) and prove it runs. */
  async probe(backend: BackendChoice): Promise<BackendInfo> {
    this.lastProbe = { backend, assetBase: document.baseURI };
    return (await this.send({ type: 'probe', backend, assetBase: document.baseURI }, 'backend').done).info;
  }

  /**
   * Runs an analysis. `onPartial` sees the result fill in: once the text's forward pass is done (no
   * pairs yet), after each pair scored on the text, then the first view (`firstView: true`: every
   * pair and state, without the reference) while the reference is run; the promise gives the whole
   * result. `onPlan` gets the phases to come, for one overall progress bar.
   */
  analyze(
    request: AnalyzeRequest,
    onProgress: (progress: JobProgress) => void,
    onPartial?: (partial: PartialResult) => void,
    onPlan?: (plan: ProgressPlan) => void,
  ): Job<LinScopeResult> {
    let head: ResultHead | null = null;
    const scored: LayerPairRecord[] = [];
    const job = this.send({ type: 'analyze', request }, 'result', onProgress, (event) => {
      if (event.type === 'plan') {
        onPlan?.(event.plan);
        return;
      }
      if (event.type === 'started') head = event.head;
      else if (event.type === 'pair') scored.push(event.record);
      if (!head) return;
      if (event.type === 'first-view') onPartial?.(firstViewResult(head, event.firstView));
      else onPartial?.(partialResult(head, scored));
    });
    return {
      done: job.done.then((e) => {
        if (!head) throw new LinScopeError('INTERNAL', 'the worker sent a result without its start');
        return assembleResult(head, e.tail);
      }),
      cancel: job.cancel,
    };
  }

  /**
   * Opens files as a result (stats files reduced, or hidden states analysed) in the worker: the
   * result, and what the page should say about it.
   */
  importFiles(
    request: ImportRequest,
    onProgress?: (progress: JobProgress) => void,
  ): Job<{ result: LinScopeResult; notes: string[] }> {
    let head: ResultHead | null = null;
    const job = this.send({ type: 'import', request }, 'imported', onProgress, (event) => {
      if (event.type === 'started') head = event.head;
    });
    return {
      done: job.done.then((e) => {
        if (!head) throw new LinScopeError('INTERNAL', 'the worker sent a result without its start');
        return { result: assembleResult(head, e.tail), notes: e.notes };
      }),
      cancel: job.cancel,
    };
  }

  /**
   * Runs the block-replacement experiment (docs/linearize.md). `onPartial` sees the result so far
   * after each variant of the model is scored.
   */
  linearize(
    request: LinearizeRequest,
    onProgress: (progress: JobProgress) => void,
    onPartial?: (partial: ResultLinearize) => void,
  ): Job<ResultLinearize> {
    const job = this.send({ type: 'linearize', request }, 'linearized', onProgress, (event) => {
      if (event.type === 'linearize-partial') onPartial?.(event.partial);
    });
    return { done: job.done.then((e) => e.result), cancel: job.cancel };
  }

  /** Checks a reference fit file and stores it for the next analysis: what the page says. */
  async importFit(request: FitImportRequest): Promise<string> {
    return (await this.send({ type: 'import-fit', request }, 'fit-imported').done).message;
  }

  async countTokens(model: ModelRequest, texts: string[]): Promise<TokenCount> {
    return (await this.send({ type: 'count-tokens', model, texts }, 'token-count').done).count;
  }

  async openFolder(name: string, files: UserFile[]): Promise<string> {
    const body: RequestBody = { type: 'open-folder', name, files };
    const { modelId } = await this.send(body, 'opened').done;
    this.opened.set(modelId, body);
    return modelId;
  }

  async openLlama2c(name: string, checkpoint: Blob, tokenizer: Blob): Promise<string> {
    const body: RequestBody = { type: 'open-llama2c', name, checkpoint, tokenizer };
    const { modelId } = await this.send(body, 'opened').done;
    this.opened.set(modelId, body);
    return modelId;
  }

  async generate(
    model: ModelRequest,
    prompt: string,
    maxNewTokens: number,
  ): Promise<{ text: string; ids: number[] }> {
    const { text, ids } = await this.send({ type: 'generate', model, prompt, maxNewTokens }, 'generated')
      .done;
    return { text, ids };
  }

  /** The last analysis's hidden states as a safetensors file. */
  async exportHidden(): Promise<Uint8Array> {
    return (await this.send({ type: 'export-hidden' }, 'hidden-states').done).file;
  }

  terminate(): void {
    this.worker.terminate();
  }
}
