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
  referenceViewResult,
} from '../job/result';
import { fromWireError } from './errors';
import type {
  AnalyzeRequest,
  BackendChoice,
  BackendInfo,
  DeviceLoss,
  FitImportRequest,
  ImportRequest,
  LinearizeRequest,
  ModelRequest,
  ReferenceAheadRequest,
  TokenCount,
  UserFile,
  WorkerEvent,
  WorkerRequest,
} from './protocol';

/** A request without its id. */
export type RequestBody = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;
type Reply<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;
/** Events before a request's final one. */
type StreamEvent = Extract<WorkerEvent, { type: (typeof STREAM_EVENTS)[number] }>;
const STREAM_EVENTS = [
  'plan',
  'started',
  'pair',
  'first-view',
  'reference-view',
  'linearize-partial',
] as const;

function isStreamEvent(event: WorkerEvent): event is StreamEvent {
  return (STREAM_EVENTS as readonly string[]).includes(event.type);
}

interface Pending {
  /** What was asked: sent again to a replacement worker on WASM after a GPU loss. */
  body: RequestBody;
  /** A probe or model sent to a replacement worker before anything else (not user work). */
  setup?: boolean;
  /**
   * The caller cancelled it: a replacement worker is not sent it again (the cancel went to the old
   * worker), it is answered as cancelled instead.
   */
  cancelled?: boolean;
  resolve: (event: WorkerEvent) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: JobProgress) => void;
  /** Events before the final one: an analysis's head and pairs, an experiment's partial results. */
  onStream?: (event: StreamEvent) => void;
}

/**
 * The page's worker moved to WASM because the WebGPU device was lost: why, whether work that was
 * under way is being run again on WASM, and the new backend once the new worker proved it runs.
 */
export interface DeviceFallback {
  loss: DeviceLoss;
  /** An analysis (or experiment, import, generation) was in flight and runs again on WASM. */
  rerun: boolean;
  backend: Promise<BackendInfo>;
}

/** Work the page waits for, as opposed to a probe or a token count. */
const WORK_REQUESTS = new Set<RequestBody['type']>(['analyze', 'linearize', 'import', 'generate']);

/**
 * What a replacement worker on WASM is sent of a request that was in flight when the GPU was
 * lost: the same request (the worker finds its backend from the probe), a probe for WASM instead.
 */
export function resendOnWasm(body: RequestBody): RequestBody {
  return body.type === 'probe' ? { ...body, backend: 'wasm' } : body;
}

/** A running job: its outcome, and a way to stop it (the promise then rejects with code ABORTED). */
export interface Job<T> {
  done: Promise<T>;
  cancel: () => void;
}

/** Requests for the console: "2 requests (load-ahead, generate)", "no request". */
function describeRequests(requests: readonly Pending[]): string {
  const mine = requests.filter((p) => !p.setup);
  if (mine.length === 0) return 'no request';
  return `${mine.length} request${mine.length === 1 ? '' : 's'} (${mine.map((p) => p.body.type).join(', ')})`;
}

/**
 * The page's side of the worker protocol: one module worker, requests matched to replies by id.
 * The worker stays out of the main bundle; only its types are shared.
 *
 * A worker that fails (an uncaught error or a message it cannot read: a crashed runtime, a broken
 * script) is replaced: every request in flight is rejected with a message that says so, the old
 * worker is terminated, and a fresh one is started and probed for the backend the page last asked
 * for before it takes the next request. The page keeps its inputs and result and can run again.
 *
 * A worker whose WebGPU device is lost (it says `device-lost`) is replaced the same way, but by one
 * probed for WASM, and what was in flight is not rejected: it is sent again to the new worker with
 * the same ids, so a running analysis carries on there (`onDeviceFallback` tells the page).
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
  private readonly fallbackListeners = new Set<(fallback: DeviceFallback) => void>();
  private readonly setAsideListeners = new Set<(note: string) => void>();
  private readonly restartListeners = new Set<() => void>();

  /** `createWorker` starts the worker (tests pass a stand-in). */
  constructor(private readonly createWorker: () => Worker = startLinScopeWorker) {
    this.worker = this.startWorker();
  }

  /** Calls `listener` when the GPU is lost and the worker moves to WASM; returns the unsubscribe. */
  onDeviceFallback(listener: (fallback: DeviceFallback) => void): () => void {
    this.fallbackListeners.add(listener);
    return () => this.fallbackListeners.delete(listener);
  }

  /**
   * Calls `listener` with what the page says when a fit opened from a file is set aside for the
   * model's weights (by an analysis, an experiment or a fit made ahead); returns the unsubscribe.
   */
  onFitSetAside(listener: (note: string) => void): () => void {
    this.setAsideListeners.add(listener);
    return () => this.setAsideListeners.delete(listener);
  }

  /**
   * Calls `listener` each time a fresh worker takes over (after a failure, a spent runtime or a lost
   * GPU): what the old one had loaded is gone. Returns the unsubscribe.
   */
  onWorkerRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  private startWorker(): Worker {
    const worker = this.createWorker();
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
    // The page shows the error to whoever asked; the console keeps what failed with it, for bug reports.
    console.warn(
      `LinScope: the worker failed (${reason}) and was restarted; ${describeRequests(failed)} answered with the error.`,
    );
    this.restartWorker();
    for (const p of failed) p.reject(error);
  }

  /**
   * The worker's runtime can load no more models, though nothing it answered failed (`runtime-spent`):
   * a fresh worker on the same backend takes over, and what was in flight is sent to it again under
   * the same ids.
   */
  private moveToFreshWorker(): Pending[] {
    const inFlight = this.takeInFlight();
    this.restartWorker();
    for (const [id, p] of inFlight) {
      this.pending.set(id, p);
      this.queue(id);
    }
    return inFlight.map(([, p]) => p);
  }

  /**
   * The requests in flight that a replacement worker is to be sent again (not its own setup). Those
   * the caller cancelled are answered as cancelled here: their cancel went to the old worker, and
   * sending them again would run them to the end.
   */
  private takeInFlight(): [number, Pending][] {
    const inFlight: [number, Pending][] = [];
    for (const [id, p] of this.pending) {
      if (p.setup) continue;
      if (p.cancelled) p.reject(new LinScopeError('ABORTED', 'Cancelled.'));
      else inFlight.push([id, p]);
    }
    return inFlight;
  }

  /**
   * The GPU under the worker was lost: a new worker on WASM takes over, and what was in flight is
   * sent to it again under the same ids (a probe in flight becomes a WASM probe).
   */
  private fallBackToWasm(loss: DeviceLoss): void {
    const inFlight = this.takeInFlight();
    if (this.lastProbe) this.lastProbe = { ...this.lastProbe, backend: 'wasm' };
    const backend = this.restartWorker();
    for (const [id, p] of inFlight) {
      const body = resendOnWasm(p.body);
      this.pending.set(id, { ...p, body });
      this.queue(id);
    }
    const fallback: DeviceFallback = {
      loss,
      rerun: inFlight.some(([, p]) => WORK_REQUESTS.has(p.body.type)),
      backend: backend ?? Promise.reject(new LinScopeError('INTERNAL', 'the worker was never probed')),
    };
    // Nobody may be listening; the page's own listener shows the outcome.
    fallback.backend.catch(() => undefined);
    for (const listener of this.fallbackListeners) listener(fallback);
  }

  /**
   * Terminates the worker and starts a fresh one, probed for the backend last asked for and given
   * the models the user opened (they lived in the old worker's memory); requests wait behind
   * `gate` until then, whatever its outcome (a failed probe answers them with its error). The
   * pending map is emptied. Gives the new probe's answer (null when the page never probed).
   */
  private restartWorker(): Promise<BackendInfo> | null {
    this.pending.clear();
    this.worker.onerror = null;
    this.worker.onmessage = null;
    this.worker.onmessageerror = null;
    this.worker.terminate();
    this.worker = this.startWorker();
    const probe = this.lastProbe;
    if (!probe) {
      this.gate = Promise.resolve();
      this.announceRestart();
      return null;
    }
    const post = (body: RequestBody) =>
      new Promise<WorkerEvent>((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { body, setup: true, resolve, reject });
        this.worker.postMessage({ ...body, id } as WorkerRequest);
      });
    const probed = post({ type: 'probe', ...probe }).then((event) => {
      if (event.type !== 'backend')
        throw new LinScopeError('INTERNAL', `unexpected reply ${event.type} to probe`);
      return event.info;
    });
    const models = [...this.opened.values()].map(post);
    this.gate = Promise.allSettled([probed, ...models]).then(() => undefined);
    this.announceRestart();
    return probed;
  }

  private announceRestart(): void {
    for (const listener of this.restartListeners) listener();
  }

  /** Posts request `id` to the worker once the current gate opens (not if a new worker came since). */
  private queue(id: number): void {
    const gate = this.gate;
    void gate.then(() => {
      const pending = this.pending.get(id);
      if (pending && gate === this.gate) this.worker.postMessage({ ...pending.body, id } as WorkerRequest);
    });
  }

  private receive(event: WorkerEvent): void {
    if (event.type === 'device-lost') {
      this.fallBackToWasm(event.loss);
      return;
    }
    if (event.type === 'runtime-spent') {
      // Nothing failed that the user asked for, so nothing is shown; the console keeps why, for bug reports.
      const resent = this.moveToFreshWorker();
      console.warn(
        `LinScope: the worker can load no more models (${event.reason}); moved to a fresh worker, ${describeRequests(resent)} sent to it again.`,
      );
      return;
    }
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === 'fit-set-aside') {
      for (const listener of this.setAsideListeners) listener(event.note);
      return;
    }
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
        body,
        resolve: (event) =>
          event.type === expect
            ? resolve(event as Reply<T>)
            : reject(new LinScopeError('INTERNAL', `unexpected reply ${event.type} to ${body.type}`)),
        reject,
        onProgress,
        onStream,
      });
      this.queue(id);
    });
    return {
      done,
      cancel: () => {
        const pending = this.pending.get(id);
        if (!pending) return;
        pending.cancelled = true;
        void this.gate.then(() => this.worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest));
      },
    };
  }

  /** Settle the backend (WebGPU or WASM) and prove it runs; `assetBase` is where LinScope's files are. */
  async probe(backend: BackendChoice, assetBase: string = document.baseURI): Promise<BackendInfo> {
    this.lastProbe = { backend, assetBase };
    return (await this.send({ type: 'probe', backend, assetBase }, 'backend').done).info;
  }

  /**
   * Runs an analysis. `onPartial` sees the result fill in: once the text's forward pass is done (no
   * pairs yet), after each pair scored on the text, then the first view (`firstView: true`: every
   * pair and state, without the reference) while the reference is run, then, where the analysis
   * fits the reference itself, all but the fit's check (`checking: true`) while that runs; the
   * promise gives the whole result. `onPlan` gets the phases to come, for one overall progress bar.
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
      if (event.type === 'started') {
        // A second start: the run began again (on WASM, after the GPU was lost).
        head = event.head;
        scored.length = 0;
      } else if (event.type === 'pair') scored.push(event.record);
      if (!head) return;
      if (event.type === 'first-view') onPartial?.(firstViewResult(head, event.firstView));
      else if (event.type === 'reference-view') onPartial?.(referenceViewResult(head, event.tail));
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

  /** Loads and warms up the model ahead of the next job, from files the page has (`load-ahead`). */
  async loadAhead(model: ModelRequest): Promise<boolean> {
    return (await this.send({ type: 'load-ahead', model }, 'model-loaded').done).ready;
  }

  /**
   * Fits the reference the next analysis would use, in the background (`prepare-reference`): whether
   * the fit is ready. Cancel it when the model, settings or reference change.
   */
  prepareReference(
    request: ReferenceAheadRequest,
    onProgress?: (progress: JobProgress) => void,
  ): Job<boolean> {
    const job = this.send({ type: 'prepare-reference', request }, 'reference-prepared', onProgress);
    return { done: job.done.then((e) => e.ready), cancel: job.cancel };
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

function startLinScopeWorker(): Worker {
  return new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'linscope' });
}
