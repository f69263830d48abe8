import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../job/settings';
import { type DeviceFallback, type RequestBody, resendOnWasm, WorkerClient } from './client';
import type { BackendInfo, WorkerEvent, WorkerRequest } from './protocol';

/** A stand-in for the page's worker: it keeps what it was sent; the test answers for it. */
class FakeWorker {
  readonly sent: WorkerRequest[] = [];
  terminated = false;
  onmessage: ((message: MessageEvent<WorkerEvent>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  postMessage(request: WorkerRequest): void {
    this.sent.push(request);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(event: WorkerEvent): void {
    this.onmessage?.({ data: event } as MessageEvent<WorkerEvent>);
  }
  last<T extends WorkerRequest['type']>(type: T): Extract<WorkerRequest, { type: T }> {
    const found = this.sent.filter((r) => r.type === type).at(-1);
    if (!found) throw new Error(`no ${type} was sent (sent: ${this.sent.map((r) => r.type).join(', ')})`);
    return found as Extract<WorkerRequest, { type: T }>;
  }
}

function info(backend: 'webgpu' | 'wasm'): BackendInfo {
  return {
    backend,
    threads: backend === 'wasm' ? 4 : 1,
    crossOriginIsolated: true,
    adapter: backend === 'webgpu' ? 'test adapter' : null,
    softwareAdapter: false,
    webgpuUnavailableReason: null,
    skippedSoftwareAdapter: null,
    ortVersion: '1.31.0',
  };
}

/** Lets queued promise callbacks (the client's gate) run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function startClient() {
  const workers: FakeWorker[] = [];
  const client = new WorkerClient(() => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker as unknown as Worker;
  });
  return { client, workers };
}

const MODEL = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' }, allowHub: false } as const;

describe('WorkerClient after a WebGPU device loss', () => {
  it('moves to a new worker on WASM, gives it the opened models, and runs what was in flight there under the same id', async () => {
    const { client, workers } = startClient();
    const fallbacks: DeviceFallback[] = [];
    client.onDeviceFallback((fallback) => fallbacks.push(fallback));

    const probed = client.probe('webgpu', 'http://linscope.test/');
    await settle();
    const [first] = workers;
    first.answer({ type: 'backend', id: first.last('probe').id, info: info('webgpu') });
    expect((await probed).backend).toBe('webgpu');

    const opened = client.openFolder('my-model', []);
    await settle();
    first.answer({ type: 'opened', id: first.last('open-folder').id, modelId: 'local/my-model' });
    expect(await opened).toBe('local/my-model');

    const generated = client.generate({ ...MODEL, spec: { ...MODEL.spec } }, 'Once upon', 4);
    await settle();
    const request = first.last('generate');

    first.answer({
      type: 'device-lost',
      id: 0,
      loss: { reason: 'destroyed', message: 'Device was destroyed' },
    });
    expect(first.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    const second = workers[1];
    // The new worker is probed for WASM and given the folder again before anything else.
    expect(second.sent.map((r) => r.type)).toEqual(['probe', 'open-folder']);
    expect(second.last('probe')).toMatchObject({ backend: 'wasm', assetBase: 'http://linscope.test/' });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ loss: { reason: 'destroyed' }, rerun: true });

    second.answer({ type: 'backend', id: second.last('probe').id, info: info('wasm') });
    second.answer({ type: 'opened', id: second.last('open-folder').id, modelId: 'local/my-model' });
    expect((await fallbacks[0].backend).backend).toBe('wasm');
    await settle();
    // The generation in flight is sent again, same id, same request.
    expect(second.last('generate')).toEqual(request);
    second.answer({ type: 'generated', id: request.id, text: ' a time', ids: [1, 2] });
    expect(await generated).toEqual({ text: ' a time', ids: [1, 2] });

    // The old worker is no longer heard; a later crash restarts the new one on WASM again.
    first.answer({ type: 'generated', id: request.id, text: 'late answer of the old worker', ids: [] });
    const count = client.countTokens(MODEL, ['x']);
    await settle();
    second.onerror?.({ message: 'boom', preventDefault: () => undefined } as ErrorEvent);
    await expect(count).rejects.toThrow('LinScope’s worker failed (boom) and was restarted.');
    expect(workers[2].last('probe').backend).toBe('wasm');
  });

  it('says nothing was re-run when the GPU is lost between runs', async () => {
    const { client, workers } = startClient();
    const fallbacks: DeviceFallback[] = [];
    client.onDeviceFallback((fallback) => fallbacks.push(fallback));
    const probed = client.probe('auto', 'http://linscope.test/');
    await settle();
    workers[0].answer({ type: 'backend', id: workers[0].last('probe').id, info: info('webgpu') });
    await probed;
    workers[0].answer({ type: 'device-lost', id: 0, loss: { reason: 'unknown', message: 'GPU reset' } });
    expect(fallbacks.map((f) => f.rerun)).toEqual([false]);
    expect(workers[1].last('probe').backend).toBe('wasm');
  });

  it('a worker crash (not a device loss) still rejects what was in flight', async () => {
    const { client, workers } = startClient();
    const probed = client.probe('webgpu', 'http://linscope.test/');
    await settle();
    workers[0].answer({ type: 'backend', id: workers[0].last('probe').id, info: info('webgpu') });
    await probed;
    const generated = client.generate(MODEL, 'x', 1);
    await settle();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    workers[0].onerror?.({
      message: 'Uncaught Error: simulated crash',
      preventDefault: () => undefined,
    } as ErrorEvent);
    // The console keeps what failed with the worker, for a bug report.
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('(Uncaught Error: simulated crash) and was restarted; 1 request (generate)'),
    );
    warn.mockRestore();
    await expect(generated).rejects.toThrow('(Uncaught Error: simulated crash)');
    // Restarted on the backend the page asked for, not WASM.
    expect(workers[1].last('probe').backend).toBe('webgpu');
  });
});

describe('WorkerClient.onFitSetAside', () => {
  it("tells the page's listeners that an opened fit was set aside, and the request goes on to its answer", async () => {
    const { client, workers } = startClient();
    const notes: string[] = [];
    const unsubscribe = client.onFitSetAside((note) => notes.push(note));
    const ahead = client.prepareReference({ model: MODEL, settings: DEFAULT_SETTINGS, reference: 'bundled' });
    await settle();
    const { id } = workers[0].last('prepare-reference');
    workers[0].answer({
      type: 'fit-set-aside',
      id,
      note: 'The fit opened from a.fit was made for other weights',
    });
    expect(notes).toEqual(['The fit opened from a.fit was made for other weights']);
    workers[0].answer({ type: 'reference-prepared', id, ready: true });
    expect(await ahead.done).toBe(true);
    // Unsubscribed, and for a request no longer in flight: nothing more is heard.
    unsubscribe();
    workers[0].answer({ type: 'fit-set-aside', id, note: 'late' });
    expect(notes).toHaveLength(1);
  });
});

describe('resendOnWasm', () => {
  it('turns a probe into a WASM probe and keeps every other request as it was', () => {
    expect(resendOnWasm({ type: 'probe', backend: 'webgpu', assetBase: 'http://x/' })).toEqual({
      type: 'probe',
      backend: 'wasm',
      assetBase: 'http://x/',
    });
    const count: RequestBody = { type: 'count-tokens', model: MODEL, texts: ['a'] };
    expect(resendOnWasm(count)).toBe(count);
  });
});

describe('WorkerClient when the worker says its runtime is spent', () => {
  it('replaces the worker on the same backend, gives it the opened models, and sends it what was in flight, unanswered', async () => {
    const { client, workers } = startClient();
    const probed = client.probe('webgpu', 'http://linscope.test/');
    await settle();
    const [first] = workers;
    first.answer({ type: 'backend', id: first.last('probe').id, info: info('webgpu') });
    await probed;
    const opened = client.openFolder('broken-model', []);
    await settle();
    first.answer({ type: 'opened', id: first.last('open-folder').id, modelId: 'local/broken-model' });
    await opened;

    // Loading ahead failed quietly (answered "not ready"); an analysis was sent meanwhile.
    const ahead = client.loadAhead({ ...MODEL, spec: { id: 'local/broken-model', dtype: 'fp32' } });
    const count = client.countTokens(MODEL, ['Once upon a time']);
    await settle();
    first.answer({ type: 'model-loaded', id: first.last('load-ahead').id, ready: false });
    expect(await ahead).toBe(false);
    const request = first.last('count-tokens');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    first.answer({ type: 'runtime-spent', id: 0, reason: 'Deserialize tensor onnx::MatMul_3 failed' });
    // Nothing the user asked for failed: the console alone keeps why, for a bug report.
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('(Deserialize tensor onnx::MatMul_3 failed)'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('1 request (count-tokens) sent to it again'));
    warn.mockRestore();

    expect(first.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    const second = workers[1];
    expect(second.sent.map((r) => r.type)).toEqual(['probe', 'open-folder']);
    expect(second.last('probe')).toMatchObject({ backend: 'webgpu', assetBase: 'http://linscope.test/' });
    second.answer({ type: 'backend', id: second.last('probe').id, info: info('webgpu') });
    second.answer({ type: 'opened', id: second.last('open-folder').id, modelId: 'local/broken-model' });
    await settle();
    // The request in flight goes to the new worker, same id, and its answer is the caller's.
    expect(second.last('count-tokens')).toEqual(request);
    const tokenCount = { tokens: 5, windows: 1 } as unknown as Extract<
      WorkerEvent,
      { type: 'token-count' }
    >['count'];
    second.answer({ type: 'token-count', id: request.id, count: tokenCount });
    expect(await count).toEqual(tokenCount);
  });
});

describe('WorkerClient: a request cancelled before its worker is replaced', () => {
  /** A probed client with an analysis and a token count in flight, the analysis cancelled. */
  async function cancelledAnalysis() {
    const { client, workers } = startClient();
    const probed = client.probe('webgpu', 'http://linscope.test/');
    await settle();
    workers[0].answer({ type: 'backend', id: workers[0].last('probe').id, info: info('webgpu') });
    await probed;
    const analysis = client.analyze(
      { model: MODEL, texts: ['Once upon a time'], settings: DEFAULT_SETTINGS, reference: 'bundled' },
      () => undefined,
    );
    const count = client.countTokens(MODEL, ['Once upon a time']);
    await settle();
    const analyzeId = workers[0].last('analyze').id;
    analysis.cancel();
    await settle();
    // The cancel reached the old worker, which has not answered yet.
    expect(workers[0].last('cancel')).toEqual({ type: 'cancel', id: analyzeId });
    return { client, workers, analysis, count };
  }

  it('is answered as cancelled, not sent again, when the runtime is spent', async () => {
    const { workers, analysis, count } = await cancelledAnalysis();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    workers[0].answer({ type: 'runtime-spent', id: 0, reason: 'failed to fetch onnx/model.onnx' });
    warn.mockRestore();
    await expect(analysis.done).rejects.toMatchObject({ code: 'ABORTED' });
    const second = workers[1];
    second.answer({ type: 'backend', id: second.last('probe').id, info: info('webgpu') });
    await settle();
    // Only the request nobody cancelled runs on the new worker.
    expect(second.sent.map((r) => r.type)).toEqual(['probe', 'count-tokens']);
    const tokenCount = { tokens: 4, windows: 1 } as unknown as Extract<
      WorkerEvent,
      { type: 'token-count' }
    >['count'];
    second.answer({ type: 'token-count', id: second.last('count-tokens').id, count: tokenCount });
    expect(await count).toEqual(tokenCount);
  });

  it('is answered as cancelled, not run again on WASM, when the GPU is lost', async () => {
    const { client, workers, analysis } = await cancelledAnalysis();
    const fallbacks: DeviceFallback[] = [];
    client.onDeviceFallback((fallback) => fallbacks.push(fallback));
    workers[0].answer({ type: 'device-lost', id: 0, loss: { reason: 'unknown', message: 'GPU reset' } });
    await expect(analysis.done).rejects.toMatchObject({ code: 'ABORTED' });
    const second = workers[1];
    second.answer({ type: 'backend', id: second.last('probe').id, info: info('wasm') });
    await settle();
    expect(second.sent.map((r) => r.type)).toEqual(['probe', 'count-tokens']);
    // No work is said to run again: the only work in flight was cancelled.
    expect(fallbacks.map((f) => f.rerun)).toEqual([false]);
  });

  it('a cancel after the answer sends nothing', async () => {
    const { client, workers } = startClient();
    const analysis = client.analyze(
      { model: MODEL, texts: ['x'], settings: DEFAULT_SETTINGS, reference: null },
      () => undefined,
    );
    await settle();
    const id = workers[0].last('analyze').id;
    workers[0].answer({ type: 'error', id, error: { name: 'Error', message: 'no', code: 'BAD_INPUT' } });
    await expect(analysis.done).rejects.toThrow('no');
    analysis.cancel();
    await settle();
    expect(workers[0].sent.map((r) => r.type)).toEqual(['analyze']);
  });
});

describe('WorkerClient.onWorkerRestart', () => {
  it('says each time a fresh worker takes over (a failure, a spent runtime, a lost GPU), and nothing else', async () => {
    const { client, workers } = startClient();
    let restarts = 0;
    const unsubscribe = client.onWorkerRestart(() => restarts++);
    const probed = client.probe('webgpu', 'http://linscope.test/');
    await settle();
    workers[0].answer({ type: 'backend', id: workers[0].last('probe').id, info: info('webgpu') });
    await probed;
    // Requests answered and models loaded ahead are no restart.
    const ahead = client.loadAhead(MODEL);
    await settle();
    workers[0].answer({ type: 'model-loaded', id: workers[0].last('load-ahead').id, ready: true });
    expect(await ahead).toBe(true);
    expect(restarts).toBe(0);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    workers[0].onerror?.({ message: 'boom', preventDefault: () => undefined } as ErrorEvent);
    expect(restarts).toBe(1);
    workers[1].answer({ type: 'runtime-spent', id: 0, reason: 'out of memory' });
    expect(restarts).toBe(2);
    warn.mockRestore();
    workers[2].answer({ type: 'device-lost', id: 0, loss: { reason: 'unknown', message: 'gone' } });
    expect(restarts).toBe(3);
    expect(workers).toHaveLength(4);

    unsubscribe();
    workers[3].onerror?.({ message: 'boom', preventDefault: () => undefined } as ErrorEvent);
    expect(restarts).toBe(3);
  });
});
