/**
 * One analysis forward that LinScope runs itself on the augmented model's session: one window,
 * an empty KV cache, and only the outputs the caller reads as fetches (forwardFetches.ts), so that
 * on WebGPU the KV cache and (unless asked for) the logits never leave the GPU. The same feeds as
 * transformers.js gives the model (windowFeeds.ts), so the same numbers.
 */
import type * as Ort from 'onnxruntime-web';
import { LinScopeError } from '../errors';
import { emptyCacheOrtFeeds, type OrtModule } from './augmentingRuntime';
import { type ForwardReads, LOGITS_OUTPUT, planForwardFetches } from './forwardFetches';
import type { HiddenStatePlan } from './hiddenStateFinder';
import { type TensorLike, toFloat32 } from './tensorValues';
import type { CacheElementType, CacheShape } from './windowFeeds';

/** What one forward over one window returns. Arrays are row-major float32 copies. */
export interface ForwardOutputs {
  layers: number;
  hidden: number;
  tokens: number;
  vocab: number;
  /** [L+1, T, d], Hugging Face `output_hidden_states` order (index L after the final norm). */
  hiddenStates: Float32Array;
  /** [T, d]: the last block's output before the final norm. */
  lastBlockOutput: Float32Array;
  /** [T, V] where the caller asked for them (`ForwardReads.logits`), else null. */
  logits: Float32Array | null;
}

/**
 * The hidden states (and the logits, when among `outputs`) of one window's outputs, copied out.
 * `vocab` is used where the logits are not among them.
 */
export function readForwardOutputs(
  outputs: Readonly<Record<string, TensorLike>>,
  plan: Pick<HiddenStatePlan, 'layers' | 'hiddenStates' | 'lastBlockOutput'>,
  tokens: number,
  vocab: number,
): ForwardOutputs {
  const first = outputs[plan.hiddenStates[0]];
  if (!first) throw new LinScopeError('INTERNAL', `the session did not return ${plan.hiddenStates[0]}`);
  const d = first.dims[first.dims.length - 1];
  const L = plan.layers;
  const hiddenStates = new Float32Array((L + 1) * tokens * d);
  plan.hiddenStates.forEach((name, l) => {
    const tensor = outputs[name];
    const values = tensor ? toFloat32(tensor) : null;
    if (!values || values.length !== tokens * d) {
      throw new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `hidden state ${l} (${name}) has shape [${tensor?.dims.join(', ')}], expected [1, ${tokens}, ${d}]`,
      );
    }
    hiddenStates.set(values, l * tokens * d);
  });
  const last = outputs[plan.lastBlockOutput];
  if (!last) throw new LinScopeError('INTERNAL', `the session did not return ${plan.lastBlockOutput}`);
  const logitsTensor = outputs[LOGITS_OUTPUT];
  return {
    layers: L,
    hidden: d,
    tokens,
    vocab: logitsTensor ? logitsTensor.dims[logitsTensor.dims.length - 1] : vocab,
    hiddenStates,
    lastBlockOutput: Float32Array.from(toFloat32(last)),
    logits: logitsTensor ? Float32Array.from(toFloat32(logitsTensor)) : null,
  };
}

/** The logits' last dimension as the session declares it, where it is a number. */
export function declaredVocab(session: Pick<Ort.InferenceSession, 'outputMetadata'>): number | null {
  const meta = session.outputMetadata?.find((m) => m.name === LOGITS_OUTPUT);
  const width = meta?.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
  return typeof width === 'number' && width > 0 ? width : null;
}

/**
 * The element type of the session's KV cache inputs (float16 graphs take a float16 cache), or null
 * where the session does not say or its cache inputs differ; float32 when it takes no cache.
 */
export function cacheElementType(
  session: Pick<Ort.InferenceSession, 'inputMetadata'>,
): CacheElementType | null {
  const types = new Set<string>();
  for (const m of session.inputMetadata ?? [])
    if (m.name.startsWith('past_key_values')) types.add(m.isTensor ? m.type : 'not a tensor');
  if (!session.inputMetadata) return null;
  if (types.size === 0) return 'float32';
  const [only] = types;
  return types.size === 1 && (only === 'float32' || only === 'float16') ? only : null;
}

/**
 * Runs one window (`ids`, empty cache) on `session` fetching only what `reads` asks for besides the
 * hidden states; every tensor it gets back is disposed before it returns. Null where the session
 * takes an input this cannot fill, or a cache neither float32 nor float16 (the caller then runs the
 * window through transformers.js).
 */
export async function runSessionForward(
  ort: OrtModule,
  session: Ort.InferenceSession,
  plan: Pick<HiddenStatePlan, 'layers' | 'hiddenStates' | 'lastBlockOutput'>,
  ids: readonly number[],
  shape: CacheShape,
  reads: ForwardReads,
  vocab: number,
): Promise<ForwardOutputs | null> {
  const cacheType = cacheElementType(session);
  if (!cacheType) return null;
  // Logits are computed for the last token only where they are not read (logitsToKeep.ts).
  const feeds = emptyCacheOrtFeeds(ort, session, ids, shape, cacheType, reads.logits ? 0 : 1);
  if (!feeds) return null;
  const { fetches } = planForwardFetches(session.outputNames, plan, reads);
  const outputs = await session.run(feeds, fetches);
  try {
    return readForwardOutputs(outputs, plan, ids.length, declaredVocab(session) ?? vocab);
  } finally {
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
}
