/**
 * A model's `config.json` as LinScope reads it, and the weight variants (dtypes) of its ONNX export.
 * The one place that knows the names architectures give the same quantity (GPT-2's `n_layer`,
 * `n_embd`, `n_positions`; Llama's `num_hidden_layers`, `hidden_size`, `max_position_embeddings`;
 * GPT-Neo's `num_layers`, `num_heads`; MPT's `n_layers`, `d_model`, `n_heads`, `max_seq_len` ...). A value that is present but not a positive integer is an error with
 * the field's name in it; a missing one is null and the caller decides what that means.
 */
import { LinScopeError } from '../errors';

/** The ONNX weight variants transformers.js exports, and the file each lives in. */
export const MODEL_DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type ModelDtype = (typeof MODEL_DTYPES)[number];

export const DTYPE_FILES: Readonly<Record<ModelDtype, string>> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
};

/**
 * Whether the variant computes in float16 (its activations and outputs are float16): then the
 * sessions LinScope adds, which take and give float32, cannot run on it.
 */
export function computesInFloat16(dtype: ModelDtype): boolean {
  return dtype === 'fp16' || dtype === 'q4f16';
}

export function isModelDtype(value: unknown): value is ModelDtype {
  return typeof value === 'string' && (MODEL_DTYPES as readonly string[]).includes(value);
}

/** What LinScope needs of a config, each null where the config does not say. */
export interface ModelConfig {
  readonly modelType: string | null;
  /** Transformer blocks L. */
  readonly layers: number | null;
  /** Width d of the residual stream. */
  readonly hidden: number | null;
  readonly vocab: number | null;
  /** The longest sequence the model takes. */
  readonly contextLength: number | null;
  readonly bosTokenId: number | null;
  readonly heads: number | null;
  /**
   * Key/value heads of the KV cache (fewer than `heads` with grouped-query attention); 1 for
   * multi-query attention (`multi_query`: GPT-BigCode, Falcon-7B); `heads` when unsaid.
   */
  readonly kvHeads: number | null;
  /** Width of one attention head; `hidden / heads` when unsaid. */
  readonly headDim: number | null;
}

/** Each quantity's names, in the order they are looked up. */
const ALIASES = {
  layers: ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'],
  hidden: ['hidden_size', 'n_embd', 'd_model'],
  vocab: ['vocab_size'],
  contextLength: ['max_position_embeddings', 'n_positions', 'n_ctx', 'max_seq_len'],
  heads: ['num_attention_heads', 'n_head', 'num_heads', 'n_heads'],
  kvHeads: ['num_key_value_heads'],
  headDim: ['head_dim'],
} as const satisfies Record<string, readonly string[]>;

function positiveInteger(raw: Record<string, unknown>, names: readonly string[]): number | null {
  for (const name of names) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
      throw new LinScopeError(
        'BAD_INPUT',
        `The model's config.json has ${name} = ${JSON.stringify(value)}; it must be a positive integer.`,
      );
    return value;
  }
  return null;
}

/** A token id: a non-negative integer, else null (configs write `null`, lists, or leave it out). */
function tokenId(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Multi-query attention: one key/value head shared by all query heads, in the cache too (GPT-BigCode,
 * Falcon-7B). Falcon's `new_decoder_architecture` (Falcon-40B) keeps `multi_query` set but caches
 * its keys and values repeated for every query head (its `num_kv_heads` is not the cache's either).
 */
function multiQuery(fields: Record<string, unknown>): boolean {
  return fields.multi_query === true && fields.new_decoder_architecture !== true;
}

/** Reads a parsed `config.json` (or transformers.js's config object, which carries the same fields). */
export function readModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LinScopeError('BAD_INPUT', 'The model’s config.json is not a JSON object.');
  const fields = raw as Record<string, unknown>;
  const hidden = positiveInteger(fields, ALIASES.hidden);
  const heads = positiveInteger(fields, ALIASES.heads);
  return {
    modelType: typeof fields.model_type === 'string' ? fields.model_type : null,
    layers: positiveInteger(fields, ALIASES.layers),
    hidden,
    vocab: positiveInteger(fields, ALIASES.vocab),
    contextLength: positiveInteger(fields, ALIASES.contextLength),
    bosTokenId: tokenId(fields.bos_token_id),
    heads,
    kvHeads: positiveInteger(fields, ALIASES.kvHeads) ?? (multiQuery(fields) ? 1 : heads),
    headDim:
      positiveInteger(fields, ALIASES.headDim) ??
      (hidden !== null && heads !== null ? Math.floor(hidden / heads) : null),
  };
}
