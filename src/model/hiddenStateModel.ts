/**
 * A decoder model loaded through transformers.js whose forward pass returns every layer's hidden
 * state. Host-agnostic: the browser worker and Node pass in their `LinScopeRuntime`.
 */
import { LinScopeError } from '../errors';
import { type AugmentationRecord, emptyCacheOrtFeeds, type LinScopeRuntime } from './augmentingRuntime';
import { BlockReplacementRunner } from './blockReplacement';
import { computesInFloat16, type ModelConfig, type ModelDtype, readModelConfig } from './config';
import { loadFailure } from './loadFailure';
import { lensIsAffordable } from './onnx/surgery/logitLensGraph';
import { type TokenInfo, tokenizerMismatch, tokenTexts } from './tokens';
import { cacheShape } from './windowFeeds';

export type ModelDevice = 'wasm' | 'webgpu' | 'cpu';

export interface ModelSpec {
  /** A Hub id (`org/name`) resolved under the runtime's local model path or on the Hub. */
  id: string;
  dtype: ModelDtype;
  device: ModelDevice;
  revision?: string;
  /** Build the logit lens (default: where it is affordable, see logitLensGraph.ts); false turns it off. */
  logitLens?: boolean;
  /** Also build the block-replacement session (blockReplacement.ts; a second copy of the weights). */
  blockReplacement?: boolean;
}

export type LoadProgress =
  | { stage: 'download'; file: string; loaded: number; total: number }
  | { stage: 'augment' }
  | { stage: 'ready' };

/** One forward pass over one window of tokens. Arrays are row-major float32. */
export interface ForwardResult {
  layers: number;
  hidden: number;
  tokens: number;
  vocab: number;
  /** [L+1, T, d], Hugging Face `output_hidden_states` order (index L after the final norm). */
  hiddenStates: Float32Array;
  /** [T, d]: the last block's output before the final norm. */
  lastBlockOutput: Float32Array;
  /** [T, V] */
  logits: Float32Array;
  /** The logit lens per state 0..L, when the model has one (small models; see logitLensGraph.ts). */
  lens: ForwardLens | null;
}

/** Row-major [L+1, T]. */
export interface ForwardLens {
  topId: Int32Array;
  /** Probability of the top token. */
  topProb: Float32Array;
  /** -log p(token t+1) at position t; NaN at the last position (no next token in this window). */
  nextLoss: Float32Array;
}

interface TensorLike {
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: number[];
  type: string;
  dispose?: () => void;
}

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** A tensor's values as float32 (fp16 outputs of fp16/q4f16 graphs are widened). */
export function toFloat32(tensor: TensorLike): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const src = tensor.data as ArrayLike<number>;
    const out = new Float32Array(src.length);
    if (src instanceof Uint16Array) for (let i = 0; i < src.length; i++) out[i] = float16ToFloat32(src[i]);
    else for (let i = 0; i < src.length; i++) out[i] = src[i];
    return out;
  }
  throw new LinScopeError('RUNTIME', `the model returned a ${tensor.type} tensor where float was expected`);
}

export class HiddenStateModel {
  private constructor(
    private readonly rt: LinScopeRuntime,
    readonly spec: ModelSpec,
    readonly config: ModelConfig,
    private readonly tokenizer: Awaited<
      ReturnType<LinScopeRuntime['transformers']['AutoTokenizer']['from_pretrained']>
    >,
    private readonly model: Awaited<
      ReturnType<LinScopeRuntime['transformers']['AutoModelForCausalLM']['from_pretrained']>
    >,
    readonly augmentation: AugmentationRecord,
  ) {}

  static async load(
    rt: LinScopeRuntime,
    spec: ModelSpec,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<HiddenStateModel> {
    const { AutoConfig, AutoTokenizer, AutoModelForCausalLM } = rt.transformers;
    const progress_callback = (info: { status: string; file?: string; loaded?: number; total?: number }) => {
      if (info.status === 'progress' && info.file) {
        onProgress?.({
          stage: 'download',
          file: info.file,
          loaded: info.loaded ?? 0,
          total: info.total ?? 0,
        });
      }
    };
    const options = { revision: spec.revision ?? 'main', progress_callback };
    const fromHub = rt.transformers.env.allowRemoteModels !== false;
    const config = readModelConfig(
      await AutoConfig.from_pretrained(spec.id, options).catch((error: unknown) => {
        throw loadFailure(error, spec.id, 'config', undefined, fromHub);
      }),
    );
    const tokenizer = await AutoTokenizer.from_pretrained(spec.id, options).catch((error: unknown) => {
      throw loadFailure(error, spec.id, 'tokenizer', undefined, fromHub);
    });
    const mismatch = tokenizerMismatch(tokenizer.get_vocab().values(), config.vocab);
    if (mismatch) throw new LinScopeError('BAD_INPUT', `Model "${spec.id}": ${mismatch}`);
    rt.runtime.expectedLayers = config.layers ?? undefined;
    // Neither extra session can run on float16 activations: they are not built for such variants.
    rt.runtime.logitLens =
      spec.logitLens !== false &&
      !computesInFloat16(spec.dtype) &&
      lensIsAffordable(
        (config.layers ?? 0) + 1,
        config.hidden ?? 0,
        config.vocab ?? Number.POSITIVE_INFINITY,
      );
    rt.runtime.blockReplacement = spec.blockReplacement === true && !computesInFloat16(spec.dtype);
    onProgress?.({ stage: 'augment' });
    // LinScope supplies onnxruntime itself, so transformers.js knows no devices and rejects any
    // device name but 'auto' (which maps to its empty device list); the execution provider goes
    // straight into the session options instead.
    const model = await AutoModelForCausalLM.from_pretrained(spec.id, {
      ...options,
      dtype: spec.dtype,
      device: 'auto',
      session_options: { executionProviders: [spec.device] },
    }).catch((error: unknown) => {
      throw loadFailure(error, spec.id, 'weights', spec.dtype, fromHub);
    });
    const session = (model as unknown as { sessions: Record<string, unknown> }).sessions.model;
    const record = session ? rt.runtime.recordOf(session as never) : undefined;
    if (!record)
      throw new LinScopeError('INTERNAL', 'the model session was not created through LinScope’s runtime');
    onProgress?.({ stage: 'ready' });
    return new HiddenStateModel(rt, spec, config, tokenizer, model, record);
  }

  get layers(): number {
    return this.augmentation.plan.layers;
  }

  /**
   * The runner of block-replacement experiments, where the model was loaded with
   * `blockReplacement`; throws (with the reason) where it was not or cannot have one.
   */
  blockReplacement(): BlockReplacementRunner {
    if (computesInFloat16(this.spec.dtype))
      throw new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `Replacing blocks needs float32 activations; the ${this.spec.dtype} weights compute in float16. Pick fp32, q8 or q4.`,
      );
    const replacement = this.augmentation.replacement;
    if (replacement === null)
      throw new LinScopeError('INTERNAL', 'the model was loaded without its block-replacement session');
    if ('refused' in replacement) throw replacement.refused;
    const hidden = this.config.hidden;
    if (hidden === null)
      throw new LinScopeError('BAD_INPUT', 'The model’s config.json does not give its hidden size.');
    return new BlockReplacementRunner(
      this.rt.runtime.ort,
      replacement.session,
      replacement.blocks,
      this.config,
      hidden,
    );
  }

  /** The longest window the model takes (its context length), where config.json says. */
  get contextLength(): number | null {
    return this.config.contextLength;
  }

  /** Token ids of a text, with the special tokens (BOS) the tokenizer adds. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  /** Greedy continuation of `prompt` (BOS alone when empty); returns all ids, prompt included. */
  async generate(prompt: string, maxNewTokens: number): Promise<number[]> {
    const { Tensor } = this.rt.transformers;
    const ids = prompt ? this.encode(prompt) : [this.config.bosTokenId ?? 0];
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const generate = (
      this.model as unknown as { generate(options: object): Promise<{ data: BigInt64Array }> }
    ).generate.bind(this.model);
    const out = await generate({
      input_ids: inputIds,
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      max_new_tokens: maxNewTokens,
      do_sample: false,
    });
    return Array.from(out.data, Number);
  }

  describeTokens(ids: readonly number[]): TokenInfo[] {
    return tokenTexts(ids, (part) => this.tokenizer.decode(part, { skip_special_tokens: false }));
  }

  /** One forward pass over `ids` (one window; no cache) returning every layer's state. */
  async forward(ids: readonly number[]): Promise<ForwardResult> {
    const { Tensor } = this.rt.transformers;
    const T = ids.length;
    if (T === 0) throw new LinScopeError('BAD_INPUT', 'There are no tokens to run.');
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]);
    const attentionMask = new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
    const outputs = (await (this.model as unknown as (inputs: object) => Promise<Record<string, TensorLike>>)(
      {
        input_ids: inputIds,
        attention_mask: attentionMask,
      },
    )) as Record<string, TensorLike>;
    try {
      const { plan } = this.augmentation;
      const first = outputs[plan.hiddenStates[0]];
      if (!first) throw new LinScopeError('INTERNAL', `the session did not return ${plan.hiddenStates[0]}`);
      const d = first.dims[first.dims.length - 1];
      const L = plan.layers;
      const hiddenStates = new Float32Array((L + 1) * T * d);
      plan.hiddenStates.forEach((name, l) => {
        const tensor = outputs[name];
        const values = tensor ? toFloat32(tensor) : null;
        if (!values || values.length !== T * d) {
          throw new LinScopeError(
            'UNSUPPORTED_GRAPH',
            `hidden state ${l} (${name}) has shape [${tensor?.dims.join(', ')}], expected [1, ${T}, ${d}]`,
          );
        }
        hiddenStates.set(values, l * T * d);
      });
      const lastBlockOutput = Float32Array.from(toFloat32(outputs[plan.lastBlockOutput]));
      const logitsTensor = outputs.logits;
      const logits = Float32Array.from(toFloat32(logitsTensor));
      return {
        layers: L,
        hidden: d,
        tokens: T,
        vocab: logitsTensor.dims[logitsTensor.dims.length - 1],
        hiddenStates,
        lastBlockOutput,
        logits,
        lens: await this.runLens(ids),
      };
    } finally {
      for (const [name, tensor] of Object.entries(outputs))
        if (name.startsWith('present')) tensor.dispose?.();
    }
  }

  /**
   * The logit lens for one window, from the lens session (same inputs as the model, empty cache).
   * Null where the model has no lens, or takes inputs the lens cannot fill.
   */
  private async runLens(ids: readonly number[]): Promise<ForwardLens | null> {
    const lens = this.augmentation.lens;
    if (!lens) return null;
    const T = ids.length;
    const feeds = emptyCacheOrtFeeds(
      this.rt.runtime.ort,
      lens.session.inputNames,
      ids,
      cacheShape(this.config),
    );
    if (!feeds) return null;
    const { topId, topLogprob, nextLogprob } = lens.outputs;
    const out = await lens.session.run(feeds, [...topId, ...topLogprob, ...nextLogprob]);
    const states = topId.length;
    const result: ForwardLens = {
      topId: new Int32Array(states * T),
      topProb: new Float32Array(states * T),
      nextLoss: new Float32Array(states * T),
    };
    for (let s = 0; s < states; s++) {
      const top = out[topId[s]].data as BigInt64Array;
      const logprob = out[topLogprob[s]].data as Float32Array;
      const next = out[nextLogprob[s]].data as Float32Array;
      for (let t = 0; t < T; t++) {
        result.topId[s * T + t] = Number(top[t]);
        result.topProb[s * T + t] = Math.exp(logprob[t]);
        result.nextLoss[s * T + t] = t < T - 1 ? -next[t] : Number.NaN;
      }
    }
    return result;
  }

  /** The text of one token id, as a reader should see it. */
  tokenText(id: number): string {
    return this.tokenizer.decode([id], { skip_special_tokens: false });
  }

  async dispose(): Promise<void> {
    await (this.model as unknown as { dispose(): Promise<unknown> }).dispose();
    // The sessions LinScope made next to the model's own (see augmentingRuntime.ts).
    const { lens, replacement } = this.augmentation;
    await lens?.session.release();
    if (replacement && 'session' in replacement) await replacement.session.release();
  }
}
