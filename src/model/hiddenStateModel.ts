/**
 * A decoder model loaded through transformers.js whose forward pass returns every layer's hidden
 * state. Host-agnostic: the browser worker and Node pass in their `LinScopeRuntime`.
 */
import type * as Ort from 'onnxruntime-web';
import { LinScopeError } from '../errors';
import {
  type AugmentationRecord,
  type AugmentationRequest,
  emptyCacheOrtFeeds,
  type LinScopeRuntime,
  withAugmentationRequest,
} from './augmentingRuntime';
import { BlockReplacementRunner } from './blockReplacement';
import { computesInFloat16, type ModelConfig, type ModelDtype, readModelConfig } from './config';
import type { ForwardReads } from './forwardFetches';
import { hubOptions, loadsFromHub } from './hubAccess';
import { loadFailure } from './loadFailure';
import { lensIsAffordable } from './onnx/surgery/logitLensGraph';
import { type ForwardOutputs, readForwardOutputs, runSessionForward } from './sessionForward';
import type { TensorLike } from './tensorValues';
import { readableTokenText } from './tokenBytes';
import { type TokenInfo, tokenizerMismatch, tokenTexts } from './tokens';
import { cacheShape, cacheShapeMismatch } from './windowFeeds';

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
  /**
   * Whether this load may fetch files from the Hub (hubAccess.ts); false keeps it to the files the
   * runtime already has. Unset: as the runtime allows.
   */
  hub?: boolean;
}

export type LoadProgress =
  | { stage: 'download'; file: string; loaded: number; total: number }
  | { stage: 'augment' }
  | { stage: 'ready' };

/** One forward pass over one window of tokens. Arrays are row-major float32. */
export interface ForwardResult extends ForwardOutputs {
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

/** Tokens in each warm-up pass (`warmUp`), and the passes, with a pause after each. */
const WARM_UP_TOKENS = 64;
const WARM_UP_PASSES = 2;
const WARM_UP_PAUSE_MS = 300;
/** What the warm-up passes read: any text the tokenizer turns into ordinary tokens. */
const WARM_UP_TEXT = 'The quick brown fox jumps over the lazy dog, and the dog sleeps on. ';

export class HiddenStateModel {
  /** Vocabulary entry per token id, built on the first token that needs it (`tokenText`). */
  private vocabById: Map<number, string> | null = null;
  /** The warm-up in flight or done (`warmUp`); forward passes wait for it. */
  private warming: Promise<void> | null = null;
  /** Whether a forward pass has run on this session (then there is nothing left to warm up). */
  private hasRun = false;
  /**
   * The last run asked of the session: runs go one at a time, in the order asked (a job's pass and a
   * reference fit made ahead may both want the model; onnxruntime-web's WebGPU backend must not
   * interleave two runs of one session).
   */
  private lastRun: Promise<unknown> = Promise.resolve();

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
    /** The model's own (augmented) session, which `forward` runs itself where it can. */
    private readonly session: Ort.InferenceSession,
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
    const fromHub = loadsFromHub(rt, spec.hub);
    const options = { revision: spec.revision ?? 'main', progress_callback, ...hubOptions(fromHub) };
    const config = readModelConfig(
      await AutoConfig.from_pretrained(spec.id, options).catch((error: unknown) => {
        throw loadFailure(error, spec.id, 'config', undefined, fromHub, rt.fetchFailures);
      }),
    );
    const tokenizer = await AutoTokenizer.from_pretrained(spec.id, options).catch((error: unknown) => {
      throw loadFailure(error, spec.id, 'tokenizer', undefined, fromHub, rt.fetchFailures);
    });
    const mismatch = tokenizerMismatch(tokenizer.get_vocab().values(), config.vocab);
    if (mismatch) throw new LinScopeError('BAD_INPUT', `Model "${spec.id}": ${mismatch}`);
    // What this load's sessions are made with goes with the load (another load may overlap it).
    // Neither extra session can run on float16 activations: they are not built for such variants.
    const request: AugmentationRequest = {
      expectedLayers: config.layers ?? undefined,
      logitLens:
        spec.logitLens !== false &&
        !computesInFloat16(spec.dtype) &&
        lensIsAffordable(
          (config.layers ?? 0) + 1,
          config.hidden ?? 0,
          config.vocab ?? Number.POSITIVE_INFINITY,
        ),
      blockReplacement: spec.blockReplacement === true && !computesInFloat16(spec.dtype),
    };
    onProgress?.({ stage: 'augment' });
    // LinScope supplies onnxruntime itself, so transformers.js knows no devices and rejects any
    // device name but 'auto' (which maps to its empty device list); the execution provider goes
    // straight into the session options instead.
    // Where transformers.js reads a local folder (Node), it reports no progress for the weights,
    // which it hands onnxruntime by path, and asking for progress makes it open each of them once
    // more (reading it whole, weightFilesByPath.ts) only to learn its size: no callback there.
    const readsLocalFiles = rt.transformers.env.useFS === true && !fromHub;
    const model = await AutoModelForCausalLM.from_pretrained(spec.id, {
      ...options,
      progress_callback: readsLocalFiles ? undefined : progress_callback,
      dtype: spec.dtype,
      device: 'auto',
      session_options: withAugmentationRequest(
        {
          executionProviders: [spec.device],
          // No CPU memory arena: each run's activations (the logits alone are [T, V] float32, 200 MB
          // for a 1,024-token window of a GPT-2) are freed after the run instead of being kept for the
          // next (docs/performance.md, "Memory").
          enableCpuMemArena: false,
          // A failing run throws onnxruntime's words (forward below); its log would print them again,
          // in colour, on the command line's stderr.
          logSeverityLevel: 4,
        },
        request,
      ),
    }).catch((error: unknown) => {
      throw loadFailure(error, spec.id, 'weights', spec.dtype, fromHub, rt.fetchFailures, rt.modelFileExists);
    });
    const session = (model as unknown as { sessions: Record<string, Ort.InferenceSession | undefined> })
      .sessions.model;
    const record = session ? rt.runtime.recordOf(session) : undefined;
    // A weightless graph without token ids ran as an operation: as the model, it is refused for why
    // LinScope could not find its hidden states.
    const refusal = session ? rt.runtime.refusalOf(session) : undefined;
    if (refusal !== undefined) throw refusal;
    if (!session || !record)
      throw new LinScopeError('INTERNAL', 'the model session was not created through LinScope’s runtime');
    const cacheMismatch = cacheShapeMismatch(record.inputShapes, cacheShape(config));
    if (cacheMismatch) {
      await (model as unknown as { dispose(): Promise<unknown> }).dispose();
      throw new LinScopeError(
        'BAD_INPUT',
        `Model "${spec.id}": config.json does not match the weights: ${cacheMismatch} (its hidden size, heads or head size are wrong). Use the config.json that came with the model.`,
      );
    }
    onProgress?.({ stage: 'ready' });
    return new HiddenStateModel(rt, spec, config, tokenizer, model, session, record);
  }

  get layers(): number {
    return this.augmentation.plan.layers;
  }

  /** The fingerprint of the weights (weightsFingerprint.ts), which a reference fit records. */
  get weights(): string {
    return this.augmentation.weights;
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

  /**
   * Runs a few short forward passes that nobody reads, for a page that loads the model before it is
   * asked for anything (`prepareModel`, the worker's `load-ahead`). The first passes of a fresh session are slow in
   * WebAssembly: the engine starts on a baseline compilation of onnxruntime's kernels and compiles
   * the hot ones again, optimised, in the background (a 255-token pass of a GPT-2-small-shaped model
   * took 3.0-3.2 s first and 0.9-1.1 s after; docs/performance.md). Two 64-token passes with a pause
   * after each leave the next pass at its usual speed. Once per session; nothing is kept, and a
   * forward pass asked for meanwhile waits for it. Failures are the next forward pass's to report.
   */
  warmUp(): Promise<void> {
    if (this.hasRun) return Promise.resolve();
    this.warming ??= (async () => {
      const text = WARM_UP_TEXT.repeat(Math.ceil(WARM_UP_TOKENS / 8));
      const limit = Math.min(WARM_UP_TOKENS, this.contextLength ?? WARM_UP_TOKENS);
      const ids = this.encode(text).slice(0, limit);
      if (ids.length === 0) return;
      for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
        await this.exclusive(() =>
          runSessionForward(
            this.rt.runtime.ort,
            this.session,
            this.augmentation.plan,
            ids,
            cacheShape(this.config),
            { logits: false },
            this.config.vocab ?? 0,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, WARM_UP_PAUSE_MS));
      }
    })().catch(() => undefined);
    return this.warming;
  }

  /** Runs `run` once every run asked before it has ended (`lastRun`). */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.lastRun.then(run);
    this.lastRun = result.catch(() => undefined);
    return result;
  }

  /** Greedy continuation of `prompt` (BOS alone when empty); returns all ids, prompt included. */
  async generate(prompt: string, maxNewTokens: number): Promise<number[]> {
    await this.warming;
    const { Tensor } = this.rt.transformers;
    const ids = prompt ? this.encode(prompt) : [this.config.bosTokenId ?? 0];
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const generate = (
      this.model as unknown as { generate(options: object): Promise<{ data: BigInt64Array }> }
    ).generate.bind(this.model);
    const out = await this.exclusive(() =>
      generate({
        input_ids: inputIds,
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        max_new_tokens: maxNewTokens,
        do_sample: false,
      }),
    );
    return Array.from(out.data, Number);
  }

  /**
   * A sample the model writes from BOS: temperature 1 over its whole vocabulary (no top-k), the
   * random choices from transformers.js's seeded generator, so one seed gives one text. Returns the
   * new ids (BOS not included).
   */
  async sample(seed: number, maxNewTokens: number): Promise<number[]> {
    await this.warming;
    const { Tensor, random } = this.rt.transformers;
    const bos = this.config.bosTokenId ?? 0;
    const generate = (
      this.model as unknown as { generate(options: object): Promise<{ data: BigInt64Array }> }
    ).generate.bind(this.model);
    const out = await this.exclusive(() => {
      // Seeded inside the turn: no other run draws from the generator between the seed and the sample.
      random.seed(seed);
      return generate({
        input_ids: new Tensor('int64', BigInt64Array.from([BigInt(bos)]), [1, 1]),
        attention_mask: new Tensor('int64', BigInt64Array.from([1n]), [1, 1]),
        max_new_tokens: maxNewTokens,
        do_sample: true,
        temperature: 1,
        top_k: 0,
        top_p: 1,
      });
    });
    return Array.from(out.data, Number).slice(1);
  }

  describeTokens(ids: readonly number[]): TokenInfo[] {
    return tokenTexts(ids, (part) => this.tokenizer.decode(part, { skip_special_tokens: false }));
  }

  /**
   * One forward pass over `ids` (one window; no cache) returning every layer's state, and the logits
   * where `reads.logits` asks for them. LinScope runs the session itself, fetching only those
   * outputs (sessionForward.ts: on WebGPU the KV cache and unread logits stay on the GPU); a graph
   * whose inputs it cannot fill (say `use_cache_branch`, `num_logits_to_keep`) runs through
   * transformers.js.
   */
  async forward(ids: readonly number[], reads: ForwardReads = { logits: false }): Promise<ForwardResult> {
    const T = ids.length;
    if (T === 0) throw new LinScopeError('BAD_INPUT', 'There are no tokens to run.');
    // One run at a time on the session: a warm-up in flight finishes first.
    await this.warming;
    this.hasRun = true;
    const { plan } = this.augmentation;
    return this.exclusive(async () => {
      try {
        const outputs =
          (await runSessionForward(
            this.rt.runtime.ort,
            this.session,
            plan,
            ids,
            cacheShape(this.config),
            reads,
            this.config.vocab ?? 0,
          )) ?? (await this.forwardThroughTransformers(ids, reads));
        return { ...outputs, lens: await this.runLens(ids) };
      } catch (error) {
        throw runFailure(error, T);
      }
    });
  }

  /** `forward` the way transformers.js runs the model: every output comes back to the CPU. */
  private async forwardThroughTransformers(
    ids: readonly number[],
    reads: ForwardReads,
  ): Promise<ForwardOutputs> {
    const { Tensor } = this.rt.transformers;
    const T = ids.length;
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]);
    const attentionMask = new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
    const outputs = (await (this.model as unknown as (inputs: object) => Promise<Record<string, TensorLike>>)(
      {
        input_ids: inputIds,
        attention_mask: attentionMask,
      },
    )) as Record<string, TensorLike>;
    try {
      const { logits, ...states } = outputs;
      const read = readForwardOutputs(reads.logits ? outputs : states, this.augmentation.plan, T, 0);
      return logits ? { ...read, vocab: logits.dims[logits.dims.length - 1] } : read;
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
    const feeds = emptyCacheOrtFeeds(this.rt.runtime.ort, lens.session, ids, cacheShape(this.config));
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

  /**
   * The text of one token id, as a reader should see it: a token holding part of a multi-byte
   * character shows its bytes (`\xe2\x80`, see tokenBytes.ts) rather than "�".
   */
  tokenText(id: number): string {
    const decoded = this.tokenizer.decode([id], { skip_special_tokens: false });
    if (!decoded.includes('\uFFFD')) return decoded;
    if (!this.vocabById) {
      this.vocabById = new Map();
      for (const [token, tokenId] of this.tokenizer.get_vocab()) this.vocabById.set(tokenId, token);
    }
    return readableTokenText(decoded, this.vocabById.get(id));
  }

  /** Resolves once the warm-up and every run asked of the session so far have ended. */
  async idle(): Promise<void> {
    await this.warming;
    await this.exclusive(async () => undefined);
  }

  async dispose(): Promise<void> {
    // A warm-up or run still going on the session finishes first (it is never released under a run).
    await this.idle();
    await (this.model as unknown as { dispose(): Promise<unknown> }).dispose();
    // The sessions LinScope made next to the model's own (see augmentingRuntime.ts).
    const { lens, replacement } = this.augmentation;
    await lens?.session.release();
    if (replacement && 'session' in replacement) await replacement.session.release();
  }
}

/**
 * A forward pass that onnxruntime refused, in words: which window, onnxruntime's first line (its
 * log colours taken out), and, where it complains of shapes or indices, the likely cause. The rest
 * of its message follows on later lines (the page reads a lost WebGPU device from it).
 */
function runFailure(error: unknown, tokens: number): unknown {
  if (error instanceof LinScopeError || (error instanceof Error && error.name === 'AbortError')) return error;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what is removed.
  const text = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, '');
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const first = lines[0] ?? 'no reason given';
  const shapes = /invalid dimensions|indices|out of range|must be within|shape/i.test(text);
  const wrapped = new LinScopeError(
    'RUNTIME',
    `The model failed to run on a window of ${tokens} tokens: ${first}` +
      (shapes
        ? `. Its config.json may not match its weights (context length, hidden size, heads): a shorter window or the config.json that came with the model may help.`
        : '') +
      (lines.length > 1 ? `\n${lines.slice(1).join('\n')}` : ''),
  );
  (wrapped as Error & { cause?: unknown }).cause = error;
  return wrapped;
}
