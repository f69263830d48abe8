/**
 * `config.json` and `generation_config.json` describing a llama2.c model as a Hugging Face
 * `LlamaForCausalLM`, so transformers.js (and transformers) treat it as a normal Llama.
 */
import type { Llama2cHyperparameters } from './checkpoint';
import { RMS_NORM_EPS, ROPE_THETA } from './llamaGraph';
import { BOS_ID, EOS_ID } from './tokenizer';

export function llamaConfigJson(c: Llama2cHyperparameters): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.seqLen,
    rms_norm_eps: RMS_NORM_EPS,
    rope_theta: ROPE_THETA,
    rope_scaling: null,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: c.sharedClassifier,
    bos_token_id: BOS_ID,
    eos_token_id: EOS_ID,
    torch_dtype: 'float32',
    use_cache: true,
    'transformers.js_config': { dtype: 'fp32' },
  };
}

export function generationConfigJson(): Record<string, unknown> {
  return { bos_token_id: BOS_ID, eos_token_id: EOS_ID, do_sample: false };
}
