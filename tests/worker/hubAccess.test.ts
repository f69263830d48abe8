/**
 * Whether a load may fetch from the Hub is the load's own (src/model/hubAccess.ts). transformers.js
 * reads its process-wide switch at every file it fetches; when the worker set that switch for each
 * request, a token count for a bundled model (Hub off) arriving while a Hub model loaded turned the
 * Hub off under that load's later files. Here the worker's real handlers run over a stand-in
 * transformers.js that records, for every file asked for, whether transformers.js's own rule (the
 * switch, and the call's `local_files_only`) would let it go to the Hub at that moment.
 */
import { describe, expect, it } from 'vitest';
import { MemoryFitStore } from '../../src/job/fitStore';
import type { AugmentingRuntime } from '../../src/model/augmentingRuntime';
import { createHandlers } from '../../src/worker/handlers';
import type { HostRuntime, WorkerHost } from '../../src/worker/host';
import type { ModelRequest } from '../../src/worker/protocol';

interface Asked {
  kind: 'config' | 'tokenizer' | 'weights';
  id: string;
  /** What transformers.js's `getModelFile` would allow: `env.allowRemoteModels && !local_files_only`. */
  mayAskHub: boolean;
}

const CONFIG = { model_type: 'gpt2', vocab_size: 3, n_layer: 1, n_embd: 4, n_head: 1, n_positions: 8 };
const TOKENIZER = {
  get_vocab: () =>
    new Map([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]),
  encode: (t: string) => [...t],
};

/** A stand-in transformers.js; the config of `held` is answered only once `release` is called. */
function standIn(held: string) {
  const env = { allowRemoteModels: false, allowLocalModels: true };
  const asked: Asked[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const note = (kind: Asked['kind'], id: string, options: { local_files_only?: boolean }) =>
    asked.push({ kind, id, mayAskHub: env.allowRemoteModels && options.local_files_only !== true });
  const transformers = {
    env,
    AutoConfig: {
      async from_pretrained(id: string, options: { local_files_only?: boolean }) {
        note('config', id, options);
        if (id === held) await gate;
        return CONFIG;
      },
    },
    AutoTokenizer: {
      async from_pretrained(id: string, options: { local_files_only?: boolean }) {
        note('tokenizer', id, options);
        return TOKENIZER;
      },
    },
    AutoModelForCausalLM: {
      async from_pretrained(id: string, options: { local_files_only?: boolean }) {
        note('weights', id, options);
        throw new Error('the stand-in has no weights');
      },
    },
  };
  return { transformers, asked, release: () => release() };
}

function host(transformers: ReturnType<typeof standIn>['transformers']): WorkerHost {
  const rt = {
    runtime: {} as AugmentingRuntime,
    transformers,
    files: { register: () => 'local/x' },
  } as unknown as HostRuntime;
  return {
    probe: async () => {
      throw new Error('not used');
    },
    runtime: async () => rt,
    device: () => 'cpu',
    bundledReference: async () => {
      throw new Error('not used');
    },
    fitStore: new MemoryFitStore(),
    pairWorkers: () => undefined,
  };
}

const HUB_MODEL: ModelRequest = { spec: { id: 'org/hub-model', dtype: 'fp32' }, allowHub: true };
const BUNDLED: ModelRequest = { spec: { id: 'linscope/tiny-gpt2', dtype: 'fp32' }, allowHub: false };

describe('the Hub, asked per load', () => {
  it('a token count for a bundled model does not take the Hub from a Hub model loading meanwhile', async () => {
    const stand = standIn(HUB_MODEL.spec.id);
    const handlers = createHandlers(host(stand.transformers));
    const writing = handlers.generate(HUB_MODEL, 'a', 1).catch((error: unknown) => error);
    // The Hub model's load is waiting for its config when the page counts tokens for another model.
    await expect.poll(() => stand.asked.length).toBe(1);
    const count = await handlers.countTokens(BUNDLED, ['abc']);
    expect(count.tokens).toBe(3);
    stand.release();
    expect(String(await writing)).toContain('the stand-in has no weights');

    const of = (id: string) => stand.asked.filter((a) => a.id === id);
    expect(of(HUB_MODEL.spec.id).map((a) => a.kind)).toEqual(['config', 'tokenizer', 'weights']);
    expect(of(HUB_MODEL.spec.id).every((a) => a.mayAskHub)).toBe(true);
    expect(
      of(BUNDLED.spec.id)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['config', 'tokenizer']);
    expect(of(BUNDLED.spec.id).some((a) => a.mayAskHub)).toBe(false);
  });

  it('a model loaded ahead is loaded from what the page has, even after a Hub model was allowed', async () => {
    const stand = standIn('none');
    const handlers = createHandlers(host(stand.transformers));
    await handlers.countTokens(HUB_MODEL, ['abc']);
    expect(await handlers.loadAhead(HUB_MODEL)).toBe(false);
    const ahead = stand.asked.slice(2);
    expect(ahead.map((a) => a.kind)).toEqual(['config', 'tokenizer', 'weights']);
    expect(ahead.some((a) => a.mayAskHub)).toBe(false);
    expect(stand.asked.slice(0, 2).every((a) => a.mayAskHub)).toBe(true);
  });
});
