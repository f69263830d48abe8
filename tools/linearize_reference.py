#!/usr/bin/env python3
"""Reference values for the block-replacement experiment (src/model/onnx/surgery/linearizeGraph.ts,
tests/engine/linearize.test.ts), computed in PyTorch with forward hooks on the blocks.

For each architecture fixture (public/models/fixtures/, rebuilt here from its seed with
tools/models/make_fixtures.py's own code and checked against its committed reference logits), a
fixed text is run with blocks changed:

  state l+1 := meanY + (state l - meanX) W     (block l linearized, W d x d)
  state l+1 := state l                          (block l skipped)

where state l is the residual stream entering block l (as changed by earlier replacements) and
state L is the output of the final norm: replacing the last block replaces what the unembedding
reads. The maps are seeded random float32 arrays near the identity (the check is that the graph
surgery does what the hooks do, not that the maps are good ones).

Writes tests/fixtures/linearize/<fixture>.safetensors (input_ids, the maps, each case's logits)
and <fixture>.json (cases, losses, versions). Never needed by `npm test`.

  python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
  .venv/bin/python tools/linearize_reference.py [fixture ...]
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "models"))
import make_fixtures as mf  # noqa: E402
import onnx_export as ox  # noqa: E402

OUT = os.path.join(ox.ROOT, "tests", "fixtures", "linearize")
TEXT = "In the beginning God created the heaven and the earth."
MAP_SEED = 4242


def final_norm(model):
    for path in ("transformer.ln_f", "model.norm", "gpt_neox.final_layer_norm", "model.decoder.final_layer_norm",
                 "model.final_layernorm"):
        obj = model
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj
        except AttributeError:
            continue
    raise ValueError(f"cannot find the final norm of {type(model).__name__}")


def random_maps(d, layers):
    g = np.random.default_rng(MAP_SEED)
    maps = []
    for _ in range(layers):
        w = np.eye(d) + g.standard_normal((d, d)) * (0.2 / np.sqrt(d))
        maps.append({
            "weights": w.astype(np.float32),
            "mean_x": (0.1 * g.standard_normal(d)).astype(np.float32),
            "mean_y": (0.1 * g.standard_normal(d)).astype(np.float32),
        })
    return maps


def run_with_changes(model, ids, changes, maps):
    """Logits [T, V] with block l changed as changes[l] in {'keep', 'map', 'skip'}."""
    blocks = ox.find_blocks(model)
    norm = final_norm(model)
    L = len(blocks)
    entering = {}
    handles = []

    def first(args, kwargs):
        return args[0] if args else kwargs["hidden_states"]

    def replace(l, x):
        if changes[l] == "skip":
            return x
        m = maps[l]
        w = torch.from_numpy(m["weights"])
        return torch.from_numpy(m["mean_y"]) + (x - torch.from_numpy(m["mean_x"])) @ w

    for l, block in enumerate(blocks):
        handles.append(block.register_forward_pre_hook(
            lambda mod, args, kwargs, l=l: entering.__setitem__(l, first(args, kwargs)), with_kwargs=True))
        if changes[l] == "keep" or l == L - 1:
            continue

        def hook(mod, args, kwargs, out, l=l):
            new = replace(l, entering[l])
            return (new, *out[1:]) if isinstance(out, (tuple, list)) else new

        handles.append(block.register_forward_hook(hook, with_kwargs=True))
    if changes[L - 1] != "keep":
        handles.append(norm.register_forward_hook(lambda mod, args, out: replace(L - 1, entering[L - 1])))
    try:
        with torch.no_grad():
            out = model(input_ids=torch.as_tensor(ids).reshape(1, -1), use_cache=False)
    finally:
        for h in handles:
            h.remove()
    return out.logits[0].float().numpy()


def mean_loss(logits, ids):
    lp = torch.log_softmax(torch.from_numpy(logits).double(), dim=-1).numpy()
    return float(-np.mean([lp[t, ids[t + 1]] for t in range(len(ids) - 1)]))


def cases(L):
    last = L - 1
    out = [
        {"name": "linear-first", "changes": ["map"] + ["keep"] * last},
        {"name": "skip-last", "changes": ["keep"] * last + ["skip"]},
        {"name": "linear-last", "changes": ["keep"] * last + ["map"]},
        {"name": "linear-first-skip-last", "changes": ["map"] + ["keep"] * (last - 1) + ["skip"]},
        {"name": "linear-all", "changes": ["map"] * L},
    ]
    return out


def make(name, spec):
    from safetensors.numpy import load_file, save_file

    folder = os.path.join(mf.FIXTURES, name)
    model = mf.build_model(spec)
    committed = load_file(os.path.join(folder, "reference.safetensors"))
    own = ox.torch_reference(model, committed["input_ids"])["logits"]
    drift = float(np.abs(own - committed["logits"]).max())
    if drift > 1e-5:
        raise SystemExit(f"{name}: the rebuilt model differs from the committed fixture (max logit diff {drift:.2e})")
    from tokenizers import Tokenizer

    ids = np.asarray(Tokenizer.from_file(os.path.join(folder, "tokenizer.json")).encode(TEXT).ids, dtype=np.int64)
    L = len(ox.find_blocks(model))
    d = model.config.hidden_size
    maps = random_maps(d, L)
    tensors = {"input_ids": ids}
    for l, m in enumerate(maps):
        tensors[f"maps.{l}.weights"] = m["weights"]
        tensors[f"maps.{l}.mean_x"] = m["mean_x"]
        tensors[f"maps.{l}.mean_y"] = m["mean_y"]
    original = run_with_changes(model, ids, ["keep"] * L, maps)
    with torch.no_grad():
        plain = model(input_ids=torch.as_tensor(ids).reshape(1, -1), use_cache=False).logits[0].numpy()
    assert np.abs(original - plain).max() == 0, "hooks that keep every block must not change anything"
    tensors["original.logits"] = original
    info = {"fixture": name, "text": TEXT, "layers": L, "hidden": d, "map_seed": MAP_SEED,
            "original_loss": mean_loss(original, ids), "cases": [], "versions": ox.versions(),
            "made_by": "tools/linearize_reference.py"}
    for case in cases(L):
        logits = run_with_changes(model, ids, case["changes"], maps)
        tensors[f"cases.{case['name']}.logits"] = logits
        info["cases"].append({**case, "loss": mean_loss(logits, ids),
                              "max_abs_logit_change": float(np.abs(logits - original).max())})
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}.safetensors")
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, path)
    os.chmod(path, 0o644)
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"{name}: T={len(ids)} L={L} " + ", ".join(f"{c['name']} {c['loss']:.4f}" for c in info["cases"]))


def main(argv):
    specs = mf.specs()
    names = argv or [n for n in specs if n != "tiny-affine-gpt2"]
    for name in names:
        make(name, specs[name])


if __name__ == "__main__":
    main(sys.argv[1:])
