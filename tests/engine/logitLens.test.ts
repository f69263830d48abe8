/**
 * The in-graph logit lens (src/model/onnx/surgery/logitLensGraph.ts) against an independent computation: the
 * analysis core's `logitLens` (itself checked against numpy) applied to the same hidden states with
 * the final LayerNorm and unembedding read straight from the ONNX file's initializers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenStates } from '../../src/analysis';
import { logitLens } from '../../src/analysis/testing/logitLensOracle';
import { type ForwardResult, HiddenStateModel } from '../../src/model/hiddenStateModel';
import { nodeRuntime } from '../../src/model/nodeRuntime';
import { readInitializer } from '../../src/model/onnx/reader';
import { PUBLIC_MODELS } from '../support/models';

const MODEL = 'linscope/tiny-gpt2';

/** A float32 initializer's values, read from the model bytes. */
function initializer(bytes: Uint8Array, name: string): Float32Array {
  const tensor = readInitializer(bytes, name);
  if (tensor?.type !== 'float32') throw new Error(`no float32 initializer ${name}`);
  return tensor.data;
}

describe('the in-graph logit lens on the embedded model', () => {
  let model: HiddenStateModel;
  let ids: number[];
  let result: ForwardResult;

  beforeAll(async () => {
    const rt = await nodeRuntime();
    rt.transformers.env.localModelPath = `${PUBLIC_MODELS}/`;
    rt.transformers.env.allowLocalModels = true;
    rt.transformers.env.allowRemoteModels = false;
    model = await HiddenStateModel.load(rt, { id: MODEL, dtype: 'fp32', device: 'cpu' });
    ids = model.encode(
      'And the LORD said unto Moses, Go in unto Pharaoh, and tell him: a hacker is a person who enjoys programming.',
    );
    result = await model.forward(ids);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('matches the final norm and unembedding applied to every state outside the graph', () => {
    const bytes = new Uint8Array(readFileSync(join(PUBLIC_MODELS, MODEL, 'onnx/model.onnx')));
    const config = JSON.parse(readFileSync(join(PUBLIC_MODELS, MODEL, 'config.json'), 'utf8'));
    const d = result.hidden;
    const wte = initializer(bytes, 'transformer.wte.weight');
    const reference = logitLens(hiddenStates(result.hiddenStates, result.layers + 1, result.tokens, d), {
      norm: {
        kind: 'layernorm',
        weight: initializer(bytes, 'transformer.ln_f.weight'),
        bias: initializer(bytes, 'transformer.ln_f.bias'),
        eps: config.layer_norm_epsilon,
      },
      unembedding: { weight: wte, vocab: wte.length / d },
      inputIds: ids,
    });
    const lens = result.lens!;
    expect(lens).not.toBeNull();
    expect(lens.topId.length).toBe(reference.topId.length);
    let ties = 0;
    for (let i = 0; i < lens.topId.length; i++) {
      if (lens.topId[i] !== reference.topId[i]) ties++;
      expect(Math.abs(lens.topProb[i] - reference.topProb[i])).toBeLessThan(1e-4);
      if (Number.isNaN(reference.nextTokenLoss[i])) expect(lens.nextLoss[i]).toBeNaN();
      else expect(Math.abs(lens.nextLoss[i] - reference.nextTokenLoss[i])).toBeLessThan(1e-3);
    }
    // Only exact near-ties may pick a different argmax.
    expect(ties).toBeLessThanOrEqual(1);
    // And the lens says something: the last state's top token is not the same everywhere.
    expect(new Set(lens.topId.slice(result.layers * result.tokens)).size).toBeGreaterThan(3);
  });

  it("names partial-byte tokens by their bytes, not '�' (the lens' token texts)", () => {
    const vocab = new Map(
      Object.entries(
        (
          JSON.parse(readFileSync(join(PUBLIC_MODELS, MODEL, 'tokenizer.json'), 'utf8')) as {
            model: { vocab: Record<string, number> };
          }
        ).model.vocab,
      ),
    );
    // The text of a vocabulary entry (in GPT-2's byte-level alphabet) as the lens names it.
    const textOf = (entry: string) => model.tokenText(vocab.get(entry) ?? -1);
    // "âĢ" is e2 80, the first two bytes of — … – •; "âĢĶ" all three of —.
    expect(textOf('âĢ')).toBe('\\xe2\\x80');
    expect(textOf('ĠâĢ')).toBe(' \\xe2\\x80');
    expect(textOf('âĢĶ')).toBe('—');
    expect(textOf('Ġthe')).toBe(' the');
  });

  it('is not built where it would cost too much (one lm_head per layer)', async () => {
    const { lensIsAffordable } = await import('../../src/model/onnx/surgery/logitLensGraph');
    expect(lensIsAffordable(5, 128, 4096)).toBe(true);
    expect(lensIsAffordable(13, 768, 50257)).toBe(false);
  });
});
