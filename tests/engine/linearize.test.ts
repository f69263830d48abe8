/**
 * Blocks replaced by affine maps, or skipped, in the ONNX graph (linearizeGraph.ts) against the same
 * replacement done in PyTorch with forward hooks (tools/linearize_reference.py, committed as
 * tests/fixtures/linearize/*): on every architecture fixture, logits within 1e-4 and mean next-token
 * loss within 1e-5. Then the experiment as a job on a fixture whose blocks are affine by
 * construction, where linearizing or skipping them must change nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logSoftmaxRows, nextTokenLoss } from '../../src/analysis';
import { LinScopeError } from '../../src/errors';
import { runLinearizeJob } from '../../src/job/linearize';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import type { LinScopeRuntime } from '../../src/model/augmentingRuntime';
import type { BlockChange } from '../../src/model/blockReplacement';
import { HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { getTensor, readSafetensors, toFloat32 } from '../../src/share/safetensors';
import { PUBLIC_MODELS, ROOT } from '../support/models';

const REFERENCES = join(ROOT, 'tests/fixtures/linearize');

interface ReferenceCase {
  name: string;
  changes: ('keep' | 'map' | 'skip')[];
  loss: number;
}
interface Reference {
  fixture: string;
  layers: number;
  hidden: number;
  original_loss: number;
  cases: ReferenceCase[];
}

const meanLoss = (logits: Float32Array, ids: readonly number[], V: number): number => {
  const loss = nextTokenLoss(logSoftmaxRows(logits, ids.length, V), ids, V);
  let sum = 0;
  for (let t = 0; t + 1 < ids.length; t++) sum += loss[t];
  return sum / (ids.length - 1);
};

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

let rt: LinScopeRuntime;

beforeAll(async () => {
  rt = await nodeRuntime();
  rt.transformers.env.allowLocalModels = true;
  rt.transformers.env.allowRemoteModels = false;
  rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
});

const fixtures = readdirSync(REFERENCES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe.each(fixtures)('fixtures/%s with blocks replaced, against PyTorch hooks', (name) => {
  const reference = JSON.parse(readFileSync(join(REFERENCES, `${name}.json`), 'utf8')) as Reference;
  const file = readSafetensors(readFileSync(join(REFERENCES, `${name}.safetensors`)));
  const tensor = (key: string) => toFloat32(getTensor(file, key));
  const ids = Array.from(getTensor(file, 'input_ids').data as BigInt64Array, Number);
  let model: HiddenStateModel;

  beforeAll(async () => {
    model = await HiddenStateModel.load(rt, {
      id: `fixtures/${name}`,
      dtype: 'fp32',
      device: 'cpu',
      logitLens: false,
      blockReplacement: true,
    });
  }, 60_000);
  afterAll(async () => {
    await model?.dispose();
  });

  const changesOf = (kinds: ReferenceCase['changes']): BlockChange[] =>
    kinds.map((kind, l): BlockChange => {
      if (kind !== 'map') return { kind };
      return {
        kind: 'map',
        map: {
          weights: tensor(`maps.${l}.weights`),
          meanX: tensor(`maps.${l}.mean_x`),
          meanY: tensor(`maps.${l}.mean_y`),
        },
      };
    });

  it('keeps every block: the logits of the plain model', async () => {
    const { logits, vocab } = await model.blockReplacement().logits(ids, []);
    expect(maxAbsDiff(logits, tensor('original.logits'))).toBeLessThan(1e-4);
    expect(Math.abs(meanLoss(logits, ids, vocab) - reference.original_loss)).toBeLessThan(1e-5);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))(
    '%s: the logits and loss of PyTorch',
    async (_, c) => {
      const { logits, vocab } = await model.blockReplacement().logits(ids, changesOf(c.changes));
      const expected = tensor(`cases.${c.name}.logits`);
      expect(maxAbsDiff(logits, expected)).toBeLessThan(1e-4);
      expect(Math.abs(meanLoss(logits, ids, vocab) - c.loss)).toBeLessThan(1e-5);
      // The case changes something: the comparison above is not against the original by accident.
      expect(maxAbsDiff(logits, tensor('original.logits'))).toBeGreaterThan(1e-2);
    },
  );

  it('refuses a map of the wrong shape and a block that does not exist', async () => {
    const runner = model.blockReplacement();
    const d = reference.hidden;
    const small = { weights: new Float32Array(4), meanX: new Float32Array(2), meanY: new Float32Array(2) };
    await expect(runner.logits(ids, [{ kind: 'map', map: small }])).rejects.toThrow(`needs ${d} x ${d}`);
    const tooMany = Array.from({ length: reference.layers + 1 }, (): BlockChange => ({ kind: 'skip' }));
    await expect(runner.logits(ids, tooMany)).rejects.toThrow(`has ${reference.layers} blocks`);
    const identity = new Float32Array(d * d);
    for (let i = 0; i < d; i++) identity[i * d + i] = 1;
    const zeros = new Float32Array(d);
    // Sanity of the inputs: the identity map is the same as skipping, exactly.
    const viaMap = await runner.logits(ids, [
      { kind: 'map', map: { weights: identity, meanX: zeros, meanY: zeros } },
    ]);
    const viaSkip = await runner.logits(ids, [{ kind: 'skip' }]);
    expect(maxAbsDiff(viaMap.logits, viaSkip.logits)).toBe(0);
  });
});

describe('the experiment on blocks that are affine by construction (fixtures/tiny-affine-gpt2)', () => {
  // Block 0 is the identity, block 1 adds a constant, block 2 is an ordinary random block.
  const text =
    'In the beginning God created the heaven and the earth. And the earth was without form, and void; ' +
    'and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters.';
  const job = {
    model: { id: 'fixtures/tiny-affine-gpt2', dtype: 'fp32' as const, device: 'cpu' as const },
    texts: [text],
    settings: DEFAULT_SETTINGS,
    reference: null,
    maps: 'self' as const,
    continuation: 0,
  };

  it('changes nothing when an affine block is linearized with maps fitted on enough tokens, or the identity skipped', async () => {
    const result = await runLinearizeJob(rt, {
      ...job,
      runs: [
        { linear: [0], skip: [] },
        { linear: [], skip: [0] },
        { linear: [1], skip: [] },
        { linear: [0, 1], skip: [] },
        { linear: [2], skip: [] },
      ],
      sweep: false,
    });
    expect(result.positions).toBeGreaterThan(64);
    expect(result.maps).toMatchObject({ source: 'self', inSample: true });
    const [linear0, skip0, linear1, both, linear2] = result.runs;
    for (const run of [linear0, linear1, both]) {
      expect(Math.abs(run.lossIncrease)).toBeLessThan(1e-5);
      expect(run.kl).toBeLessThan(1e-6);
      expect(run.top1Changed).toBe(0);
    }
    expect(skip0.lossIncrease).toBe(0);
    expect(skip0.kl).toBe(0);
    expect(skip0.lossDelta.every((v) => v === null || v === 0)).toBe(true);
    // The ordinary block is not affine: its replacement shows.
    expect(linear2.kl).toBeGreaterThan(1e-3);
  });

  it('gives the host its event loop between model runs, and stops at the next one once cancelled', async () => {
    const controller = new AbortController();
    let yields = 0;
    let replaced = 0;
    const run = runLinearizeJob(
      rt,
      { ...job, runs: [], sweep: true, continuation: 4 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'replace') replaced = p.done;
        },
        // As a worker hears of Cancel: while the job waits for its event loop.
        yieldToEvents: async () => {
          if (++yields === 5) controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Before the text's forward window (runForwardWindows yields too), after the fit, at the window,
    // before its first variant (the original ran between), before the second: aborted there, so two
    // model runs were done and nothing after.
    expect(yields).toBe(5);
    expect(replaced).toBe(2);
  });

  it('refuses blocks out of range, a block both linearized and skipped, and in-sample maps on too few tokens', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof LinScopeError ? `${e.code}: ${e.message}` : String(e)),
      );
    expect(
      await code(runLinearizeJob(rt, { ...job, runs: [{ linear: [3], skip: [] }], sweep: false })),
    ).toMatch(/^BAD_INPUT: There is no block 3: this model has blocks 0 to 2/);
    expect(
      await code(runLinearizeJob(rt, { ...job, runs: [{ linear: [1], skip: [1] }], sweep: false })),
    ).toMatch(/^BAD_INPUT: Block 1 cannot be both/);
    expect(
      await code(
        runLinearizeJob(rt, {
          ...job,
          texts: ['In the beginning'],
          runs: [{ linear: [1], skip: [] }],
          sweep: false,
        }),
      ),
    ).toMatch(/^BAD_INPUT: Block 1 has no map .*n <= d/);
    expect(await code(runLinearizeJob(rt, { ...job, maps: 'reference', runs: [], sweep: true }))).toMatch(
      /^BAD_INPUT: Maps from the reference corpus need a reference corpus/,
    );
  });
});

describe('models the experiment cannot run on', () => {
  it('says why: float16 activations, and a graph whose residual stream is fused into its norms', async () => {
    const fp16 = await HiddenStateModel.load(rt, {
      id: 'fixtures/formats-llama',
      dtype: 'fp16',
      device: 'cpu',
      blockReplacement: true,
    });
    expect(() => fp16.blockReplacement()).toThrow(/float32 activations/);
    await fp16.dispose();
    const fused = await HiddenStateModel.load(rt, {
      id: 'fixtures/genai-fused-llama',
      dtype: 'fp32',
      device: 'cpu',
      blockReplacement: true,
    });
    expect(() => fused.blockReplacement()).toThrow(/fuses it into its norms/);
    await fused.dispose();
  });
});
