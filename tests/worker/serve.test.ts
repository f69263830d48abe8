/**
 * The worker's message layer in-process, without a browser: requests go through `serveRequests`
 * with the real handlers on a Node host, and every event crosses a structured clone with its
 * transfer list, as postMessage would copy and move it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runAnalyzeJob } from '../../src/job/analyze';
import { runLinearizeJob } from '../../src/job/linearize';
import { assembleResult, type ResultHead, type ResultTail } from '../../src/job/result';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { readSafetensors } from '../../src/share/safetensors';
import type { BackendInfo } from '../../src/worker/protocol';
import { finalEvent, inProcessWorker } from './inProcessWorker';

const MODEL = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' as const }, allowHub: false };
const PROMPT =
  'In the beginning God created the heaven and the earth. And the earth was without form, and void. ' +
  'A hacker is a person who enjoys exploring the details of programmable systems.';

describe('the worker message loop with the real handlers (Node host)', () => {
  const worker = inProcessWorker();

  let probed: BackendInfo | null = null;

  beforeAll(async () => {
    const [probe] = await worker.request({ type: 'probe', backend: 'auto', assetBase: 'file:///' });
    expect(probe.event.type).toBe('backend');
    if (probe.event.type === 'backend') probed = probe.event.info;
    expect(probed?.ortVersion).toMatch(/^\d+\.\d+/);
  });

  it('answers an analysis plan -> started -> pair per pair -> first view -> result, with the per-token arrays transferred', async () => {
    const posted = await worker.request({
      type: 'analyze',
      request: { model: MODEL, texts: [PROMPT], settings: DEFAULT_SETTINGS, reference: 'bundled' },
    });
    const kinds = posted.map((p) => p.event.type);
    expect(kinds.filter((k) => k === 'started')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('result');
    const started = posted.find((p) => p.event.type === 'started')!.event as { head: ResultHead };
    const L = started.head.model.layers;
    const pairs = posted.flatMap((p) => (p.event.type === 'pair' ? [p.event.record.pair[0]] : []));
    expect([...pairs].sort((a, b) => a - b)).toEqual(Array.from({ length: L }, (_, l) => l));
    // Every pair comes after the head, and nothing but progress and the plan comes before it.
    expect(kinds.indexOf('started')).toBeLessThan(kinds.indexOf('pair'));
    expect(kinds.slice(0, kinds.indexOf('started')).every((k) => k === 'progress' || k === 'plan')).toBe(
      true,
    );
    expect(kinds.filter((k) => k === 'plan')).toHaveLength(1);
    // The first view comes once, after every pair, and before the reference is run.
    const firstView = kinds.indexOf('first-view');
    expect(kinds.filter((k) => k === 'first-view')).toHaveLength(1);
    expect(firstView).toBeGreaterThan(kinds.lastIndexOf('pair'));
    const referenceProgress = posted.findIndex(
      (p) => p.event.type === 'progress' && p.event.progress.stage === 'reference-score',
    );
    expect(referenceProgress).toBeGreaterThan(firstView);
    expect(started.head.tokens.length).toBeGreaterThan(20);
    expect(started.head.windows).toEqual([{ doc: 0, start: 0, end: started.head.tokens.length }]);

    const last = posted[posted.length - 1];
    const { tail } = last.event as { tail: ResultTail };
    const T = started.head.tokens.length;
    expect(tail.perToken?.nonlinearity).toHaveLength(L);
    expect(tail.perToken?.nonlinearity.every((row) => row instanceof Float64Array && row.length === T)).toBe(
      true,
    );
    // Each row's buffer is in the transfer list exactly once, and was moved (detached here).
    const buffers = [...(tail.perToken?.nonlinearity ?? []), ...(tail.perToken?.flash ?? [])].map(
      (row) => row.buffer,
    );
    expect(last.transfer).toHaveLength(new Set(last.transfer).size);
    expect(last.transfer).toHaveLength(2 * L);
    expect(buffers.every((b) => b.byteLength > 0)).toBe(true);
    expect(last.transfer.every((b) => (b as ArrayBuffer).byteLength === 0)).toBe(true);
    // The pairs streamed are the pairs of the result, but for held-out: split (here too few tokens
    // to fit on) before the reference, the reference's in the result.
    const streamed = posted.flatMap((p) => (p.event.type === 'pair' ? [p.event.record] : []));
    const withoutHeldOut = (r: (typeof streamed)[number]) => ({ ...r, heldOut: null });
    expect([...streamed].sort((a, b) => a.pair[0] - b.pair[0]).map(withoutHeldOut)).toEqual(
      tail.layers.map(withoutHeldOut),
    );
    expect(streamed.every((r) => r.heldOut?.source === 'split' && r.heldOut.linearity === null)).toBe(true);
    expect(tail.layers.every((r) => r.heldOut?.source === 'reference' && r.heldOut.linearity !== null)).toBe(
      true,
    );

    // What the page assembles equals what the CLI's job gives for the same input.
    const page = assembleResult(started.head, tail);
    // (The reference fit the worker made is reused: fitting it again would only double the time.)
    const direct = await runAnalyzeJob(
      await worker.host.runtime(),
      {
        model: { ...MODEL.spec, device: 'cpu' },
        texts: [PROMPT],
        settings: DEFAULT_SETTINGS,
        reference: await worker.host.bundledReference('reference-en.txt'),
      },
      { fitStore: worker.host.fitStore },
    );
    // The worker records the backend it probed; the job run directly was told none.
    const { runtime, ...computed } = page;
    expect(runtime).toEqual({ backend: 'wasm', adapter: null, onnxruntime: probed?.ortVersion });
    expect(direct.head.runtime).toBeUndefined();
    expect(computed).toEqual(assembleResult(direct.head, direct.tail));
    expect(page.perToken?.nonlinearity[0].some((v) => v !== null && v > 0)).toBe(true);
    // Two analyses, each fitting the reference (the worker's and the direct job's stores differ).
  }, 240_000);

  it('runs the block-replacement sweep, with progress, giving what the CLI job gives', async () => {
    const request = {
      model: MODEL,
      texts: [PROMPT],
      settings: DEFAULT_SETTINGS,
      reference: 'bundled' as const,
      maps: 'reference' as const,
      runs: [{ linear: [1], skip: [] }],
      sweep: true,
      continuation: 4,
    };
    const posted = await worker.request({ type: 'linearize', request });
    const last = finalEvent(posted);
    if (last.type !== 'linearized') throw new Error(`got ${JSON.stringify(last)}`);
    const replaced = posted.filter(
      (p) => p.event.type === 'progress' && p.event.progress.stage === 'replace',
    );
    expect(replaced.length).toBeGreaterThan(5);
    const { result } = last;
    expect(result.sweep?.blocks).toHaveLength(4);
    // The result fills in variant by variant: 1 run, 4 blocks x (linearized, skipped), 4 cumulative steps.
    const partials = posted.flatMap((p) => (p.event.type === 'linearize-partial' ? [p.event.partial] : []));
    expect(partials).toHaveLength(13);
    expect(partials.map((p) => p.sweep?.blocks.length)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4]);
    expect(partials.map((p) => p.sweep?.cumulative.steps.length)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4,
    ]);
    const lastPartial = partials[partials.length - 1];
    expect(lastPartial.sweep).toEqual(result.sweep);
    expect(lastPartial.runs.map((r) => ({ ...r, continuation: null }))).toEqual(
      result.runs.map((r) => ({ ...r, continuation: null })),
    );
    expect(result.runs[0].continuation?.length).toBeGreaterThan(0);
    const direct = await runLinearizeJob(await worker.host.runtime(), {
      ...request,
      model: { ...MODEL.spec, device: 'cpu' },
      reference: await worker.host.bundledReference('reference-en.txt'),
    });
    expect(result).toEqual(direct);
  });

  it('exports the hidden states of the last analysis as safetensors, transferred', async () => {
    const posted = await worker.request({ type: 'export-hidden' });
    const { event, transfer } = posted[0];
    if (event.type !== 'hidden-states') throw new Error(`got ${event.type}`);
    expect(transfer).toHaveLength(1);
    const file = readSafetensors(event.file);
    const states = file.tensors.get('hidden_states');
    expect(states?.shape.length).toBe(3);
    expect(states?.shape[0]).toBe(5);
    expect(file.tensors.get('input_ids')?.shape[0]).toBe(states?.shape[1]);
  });

  it('counts tokens and reads the context length from the config', async () => {
    const [{ event }] = await worker.request({ type: 'count-tokens', model: MODEL, texts: [PROMPT, '  '] });
    if (event.type !== 'token-count') throw new Error(`got ${event.type}`);
    expect(event.count.contextLength).toBe(256);
    expect(event.count.tokens).toBeGreaterThan(20);
  });

  it('continues a prompt greedily, the same way twice', async () => {
    const ask = () =>
      worker.request({ type: 'generate', model: MODEL, prompt: 'In the beginning', maxNewTokens: 8 });
    const [a] = await ask();
    const [b] = await ask();
    if (a.event.type !== 'generated' || b.event.type !== 'generated') throw new Error('no text');
    expect(a.event.text.startsWith('In the beginning')).toBe(true);
    expect(a.event.text.length).toBeGreaterThan('In the beginning'.length);
    expect(b.event.ids).toEqual(a.event.ids);
  });

  it('refuses folders that are not models and registers one that is', async () => {
    const blob = new Blob(['{}']);
    const cases: [string[], RegExp][] = [
      [['tokenizer.json', 'onnx/model.onnx'], /no config\.json/],
      [['config.json', 'onnx/model.onnx'], /no tokenizer\.json/],
      [['config.json', 'tokenizer.json', 'model.onnx'], /no onnx\/model\*\.onnx/],
    ];
    for (const [paths, message] of cases) {
      const files = paths.map((path) => ({ path, file: blob }));
      const [{ event }] = await worker.request({ type: 'open-folder', name: 'x', files });
      if (event.type !== 'error') throw new Error(`got ${event.type}`);
      expect(event.error.code).toBe('BAD_INPUT');
      expect(event.error.message).toMatch(message);
    }
    const files = ['config.json', 'tokenizer.json', 'onnx/model_q4.onnx'].map((path) => ({
      path,
      file: blob,
    }));
    const [{ event }] = await worker.request({ type: 'open-folder', name: 'mine', files });
    expect(event).toMatchObject({ type: 'opened', modelId: 'local/mine' });
    expect([...(worker.host.opened.get('local/mine')?.keys() ?? [])]).toEqual([
      'config.json',
      'tokenizer.json',
      'onnx/model_q4.onnx',
    ]);
  });

  it('refuses files that are not a llama2.c checkpoint', async () => {
    const junk = new Blob([new Uint8Array(64).fill(7)]);
    const [{ event }] = await worker.request({
      type: 'open-llama2c',
      name: 'x',
      checkpoint: junk,
      tokenizer: junk,
    });
    if (event.type !== 'error') throw new Error(`got ${event.type}`);
    expect(event.error.code).toBe('BAD_INPUT');
    expect(event.error.message).toMatch(/not a llama2\.c checkpoint/);
  });

  it('answers an unknown model with MODEL_NOT_FOUND, an empty text with BAD_INPUT', async () => {
    const unknown = { spec: { id: 'nobody/nothing', dtype: 'fp32' as const }, allowHub: false };
    const posted = await worker.request({
      type: 'analyze',
      request: { model: unknown, texts: ['hi'], settings: DEFAULT_SETTINGS, reference: null },
    });
    expect(finalEvent(posted)).toMatchObject({ type: 'error', error: { code: 'MODEL_NOT_FOUND' } });
    const empty = await worker.request({
      type: 'analyze',
      request: { model: MODEL, texts: [' \n '], settings: DEFAULT_SETTINGS, reference: null },
    });
    expect(finalEvent(empty)).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
  });

  it('stops an analysis on cancel with ABORTED, and runs the next one normally', async () => {
    const id = worker.newId();
    const running = worker.serve({
      type: 'analyze',
      id,
      request: {
        model: MODEL,
        texts: [PROMPT],
        settings: { ...DEFAULT_SETTINGS, maxWindow: 8 },
        reference: null,
      },
    });
    await worker.serve({ type: 'cancel', id });
    await running;
    expect(finalEvent(worker.events(id))).toMatchObject({ type: 'error', error: { code: 'ABORTED' } });
    const again = await worker.request({
      type: 'analyze',
      request: { model: MODEL, texts: [PROMPT], settings: DEFAULT_SETTINGS, reference: null },
    });
    expect(finalEvent(again).type).toBe('result');
  });

  it('loads a model ahead of a job: an unknown one quietly not, a real one so that the next analysis loads nothing', async () => {
    // The Hub stays out of a load ahead, whatever the request says (and the runtime allows).
    const { env } = (await worker.host.runtime()).transformers;
    const fetched: string[] = [];
    const { fetch, allowRemoteModels } = env;
    env.allowRemoteModels = true;
    env.fetch = async (input: string | URL) => {
      fetched.push(String(input));
      throw new Error('no network in this test');
    };
    try {
      const missing = await worker.request({
        type: 'load-ahead',
        model: { spec: { id: 'linscope/no-such-model', dtype: 'fp32' }, allowHub: true },
      });
      expect(missing.map((p) => p.event)).toEqual([
        { type: 'model-loaded', id: missing[0].event.id, ready: false },
      ]);
    } finally {
      env.fetch = fetch;
      env.allowRemoteModels = allowRemoteModels;
    }
    expect(fetched).toEqual([]);
    const loaded = await worker.request({ type: 'load-ahead', model: MODEL });
    expect(finalEvent(loaded)).toMatchObject({ type: 'model-loaded', ready: true });
    const posted = await worker.request({
      type: 'analyze',
      request: { model: MODEL, texts: [PROMPT], settings: DEFAULT_SETTINGS, reference: null },
    });
    expect(finalEvent(posted).type).toBe('result');
    const stages = posted.flatMap((p) => (p.event.type === 'progress' ? [p.event.progress.stage] : []));
    expect(stages).toContain('forward');
    expect(stages.filter((s) => s === 'download' || s === 'augment' || s === 'ready')).toEqual([]);
  });
});
