"""Shared helpers: export a Hugging Face causal LM to ONNX the way the Hub's transformers.js
folders are made (optimum-style inputs/outputs, node names = HF module paths), quantize it to q8,
verify it against PyTorch in onnxruntime, and write reference values.

Used by make_fixtures.py, train_tiny_gpt2.py (export step) and make_bench_model.py.

Setup: python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
"""
from __future__ import annotations

import json
import os
import subprocess
import warnings

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPSET = 17


def uses_position_ids(model_type: str) -> bool:
    # The Hub's OPT exports take no position_ids (OPT derives positions from the attention mask).
    return model_type != "opt"


def kv_shape_info(config):
    """(num_layers, num_kv_heads, head_dim) of the model's KV cache."""
    n_layers = config.num_hidden_layers
    n_heads = config.num_attention_heads
    n_kv = getattr(config, "num_key_value_heads", None) or n_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // n_heads
    return n_layers, n_kv, head_dim


def _make_cache(config, flat_past):
    from transformers import DynamicCache

    cache = DynamicCache(config=config)
    for i in range(len(flat_past) // 2):
        cache.update(flat_past[2 * i], flat_past[2 * i + 1], i)
    return cache


def _cache_to_flat(cache):
    out = []
    if hasattr(cache, "layers"):
        for layer in cache.layers:
            out.extend([layer.keys, layer.values])
    else:  # older API
        for k, v in zip(cache.key_cache, cache.value_cache):
            out.extend([k, v])
    return out


class _ExportMixin:
    """Swapped in as the model's class for export, so the traced module *is* the HF model and
    node names carry the HF module paths (`/transformer/h.0/Add_1`, `/model/layers.0/Add_1`) with no
    wrapper prefix — like the Hub's optimum exports."""

    def forward(self, input_ids, attention_mask, *rest):  # noqa: D401
        if self._lins_position_ids:
            position_ids, flat_past = rest[0], rest[1:]
        else:
            position_ids, flat_past = None, rest
        cache = _make_cache(self.config, list(flat_past))
        kwargs = dict(
            input_ids=input_ids,
            attention_mask=attention_mask,
            past_key_values=cache,
            use_cache=True,
            return_dict=True,
        )
        if position_ids is not None:
            kwargs["position_ids"] = position_ids
        out = self._lins_base_forward(**kwargs)
        return (out.logits, *_cache_to_flat(out.past_key_values))


def io_names(config, model_type):
    n_layers, _, _ = kv_shape_info(config)
    inputs = ["input_ids", "attention_mask"]
    if uses_position_ids(model_type):
        inputs.append("position_ids")
    outputs = ["logits"]
    for i in range(n_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export_onnx(model, path, *, opset=OPSET, past_len=2, seq_len=3, with_past=True):
    """torch.onnx.export(dynamo=False) of a causal LM with past key values as inputs (traced with a
    non-empty past, like the Hub's exports; the graph also runs with past length 0).
    with_past=False: no past inputs (the no-cache branch of the old merged layout)."""
    config = model.config
    model_type = config.model_type
    n_layers, n_kv, head_dim = kv_shape_info(config)
    base_cls = model.__class__
    export_cls = type(f"Export{base_cls.__name__}", (_ExportMixin, base_cls), {})
    model.__class__ = export_cls
    model._lins_position_ids = uses_position_ids(model_type)
    model._lins_base_forward = lambda **kw: base_cls.forward(model, **kw)
    try:
        g = torch.Generator().manual_seed(0)
        batch = 1
        input_ids = torch.randint(0, config.vocab_size, (batch, seq_len), generator=g)
        if not with_past:
            past_len = 0
        attention_mask = torch.ones(batch, past_len + seq_len, dtype=torch.int64)
        args = [input_ids, attention_mask]
        if model._lins_position_ids:
            args.append(torch.arange(past_len, past_len + seq_len).unsqueeze(0))
        for _ in range(n_layers if with_past else 0):
            args.append(torch.randn(batch, n_kv, past_len, head_dim, generator=g))
            args.append(torch.randn(batch, n_kv, past_len, head_dim, generator=g))
        inputs, outputs = io_names(config, model_type)
        if not with_past:
            inputs = [n for n in inputs if not n.startswith("past_key_values")]
        dyn = {
            "input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"},
        }
        if model._lins_position_ids:
            dyn["position_ids"] = {0: "batch_size", 1: "sequence_length"}
        for name in inputs:
            if name.startswith("past_key_values"):
                dyn[name] = {0: "batch_size", 2: "past_sequence_length"}
        for name in outputs:
            if name.startswith("present"):
                dyn[name] = {0: "batch_size", 2: "total_sequence_length"}
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.no_grad():
                torch.onnx.export(
                    model,
                    tuple(args),
                    path,
                    input_names=inputs,
                    output_names=outputs,
                    dynamic_axes=dyn,
                    opset_version=opset,
                    do_constant_folding=True,
                    dynamo=False,
                )
    finally:
        model.__class__ = base_cls
        del model._lins_position_ids
        del model._lins_base_forward
    import onnx

    onnx.checker.check_model(path)
    return path


def quantize_q8(src, dst):
    """q8 like the Hub's `model_quantized.onnx`: onnxruntime's dynamic quantization with its default
    operator set (MatMul -> MatMulInteger with uint8 weights, Gather tables stored as uint8)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(src, dst, weight_type=QuantType.QUInt8, per_channel=False, reduce_range=False,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return dst


def dedup_tied_lm_head(src, dst):
    """Tied embeddings: torch.onnx.export's constant folding stores the lm_head weight a second time,
    transposed. Like optimum's deduplication, feed the lm_head MatMul from a Transpose of the embedding
    table instead (saves vocab x d floats)."""
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(src)
    inits = {i.name: i for i in m.graph.initializer}
    gathers = [n for n in m.graph.node if n.op_type == "Gather" and n.input[0] in inits]
    lm = [n for n in m.graph.node if n.op_type == "MatMul" and n.name.endswith("lm_head/MatMul")]
    if len(lm) != 1 or lm[0].input[1] not in inits:
        return False
    b = numpy_helper.to_array(inits[lm[0].input[1]])
    for g in gathers:
        a = numpy_helper.to_array(inits[g.input[0]])
        if a.shape == b.T.shape and np.array_equal(a, b.T):
            old = lm[0].input[1]
            out = "/lm_head/Transpose_output_0"
            idx = list(m.graph.node).index(lm[0])
            m.graph.node.insert(idx, helper.make_node("Transpose", [g.input[0]], [out], name="/lm_head/Transpose",
                                                      perm=[1, 0]))
            lm[0].input[1] = out
            m.graph.initializer.remove(inits[old])
            onnx.checker.check_model(m)
            onnx.save(m, dst)
            return True
    return False


def ort_session(path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_forward(sess, config, input_ids, past=None, attention_mask=None):
    """Runs an exported graph on [1, T] ids with an optional flat past; returns (logits, presents)."""
    n_layers, n_kv, head_dim = kv_shape_info(config)
    input_ids = np.asarray(input_ids, dtype=np.int64).reshape(1, -1)
    t = input_ids.shape[1]
    past_len = 0 if past is None else past[0].shape[2]
    if past is None:
        past = [np.zeros((1, n_kv, 0, head_dim), np.float32) for _ in range(2 * n_layers)]
    if attention_mask is None:
        attention_mask = np.ones((1, past_len + t), np.int64)
    feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
    names = {i.name for i in sess.get_inputs()}
    if "position_ids" in names:
        feeds["position_ids"] = np.arange(past_len, past_len + t, dtype=np.int64).reshape(1, -1)
    for i in range(n_layers):
        feeds[f"past_key_values.{i}.key"] = past[2 * i]
        feeds[f"past_key_values.{i}.value"] = past[2 * i + 1]
    outs = sess.run(None, feeds)
    return outs[0], outs[1:]


def torch_reference(model, input_ids):
    """PyTorch reference: all L+1 hidden states, the last block's pre-norm output, and logits."""
    ids = torch.as_tensor(np.asarray(input_ids, dtype=np.int64)).reshape(1, -1)
    captured = {}
    blocks = find_blocks(model)
    h = blocks[-1].register_forward_hook(lambda m, a, out: captured.__setitem__("last", out))
    try:
        with torch.no_grad():
            out = model(input_ids=ids, output_hidden_states=True, use_cache=False, return_dict=True)
    finally:
        h.remove()
    last = captured["last"]
    if isinstance(last, (tuple, list)):
        last = last[0]
    hs = torch.stack([x[0] for x in out.hidden_states]).float()
    return {
        "hidden_states": hs.numpy(),
        "last_block_output": last[0].float().numpy(),
        "logits": out.logits[0].float().numpy(),
        "input_ids": ids[0].numpy(),
    }


def find_blocks(model):
    for path in ("transformer.h", "model.layers", "gpt_neox.layers", "model.decoder.layers"):
        obj = model
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return list(obj)
        except AttributeError:
            continue
    raise ValueError(f"cannot find decoder blocks of {type(model).__name__}")


def verify_against_torch(model, onnx_path, input_ids, atol=1e-4):
    """Checks the exported graph against PyTorch: empty past, then prefix + past. Returns max diffs."""
    config = model.config
    ids = np.asarray(input_ids, dtype=np.int64)
    with torch.no_grad():
        ref = model(input_ids=torch.as_tensor(ids).reshape(1, -1), use_cache=False).logits[0].numpy()
    sess = ort_session(onnx_path)
    logits0, presents = ort_forward(sess, config, ids)
    d_full = float(np.abs(logits0[0] - ref).max())
    split = max(1, len(ids) // 2)
    _, past = ort_forward(sess, config, ids[:split])
    logits1, _ = ort_forward(sess, config, ids[split:], past=past)
    d_past = float(np.abs(logits1[0] - ref[split:]).max())
    # One token at a time (like generation).
    _, past = ort_forward(sess, config, ids[:1])
    d_step = 0.0
    for j in range(1, len(ids)):
        lg, past = ort_forward(sess, config, ids[j:j + 1], past=past)
        d_step = max(d_step, float(np.abs(lg[0, 0] - ref[j]).max()))
    result = {"no_past": d_full, "with_past": d_past, "step_by_step": d_step}
    if max(result.values()) > atol:
        raise AssertionError(f"{onnx_path}: ONNX vs PyTorch logits differ: {result}")
    return result


def write_reference(folder, ref, info):
    from safetensors.numpy import save_file

    tensors = {
        "hidden_states": np.ascontiguousarray(ref["hidden_states"], dtype=np.float32),
        "last_block_output": np.ascontiguousarray(ref["last_block_output"], dtype=np.float32),
        "logits": np.ascontiguousarray(ref["logits"], dtype=np.float32),
        "input_ids": np.ascontiguousarray(ref["input_ids"], dtype=np.int64),
    }
    save_file(tensors, os.path.join(folder, "reference.safetensors"),
              metadata={"format": "linscope-reference-v1"})
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


def versions():
    import onnx
    import onnxruntime
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def write_gpt2_tokenizer(folder, vocab_size, max_length):
    """tokenizer.json + tokenizer_config.json: GPT-2 BPE truncated to `vocab_size` entries
    (256 bytes + first vocab_size-257 merges + <|endoftext|> at vocab_size-1)."""
    subprocess.run(
        ["node", os.path.join(ROOT, "tools", "make-gpt2-tokenizer.mjs"), "--vocab", str(vocab_size),
         "--max-length", str(max_length), "--out", folder],
        check=True, stdout=subprocess.DEVNULL,
    )


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def write_generation_config(folder, config):
    gen = {"_from_model_config": True}
    for k in ("bos_token_id", "eos_token_id", "pad_token_id"):
        v = getattr(config, k, None)
        if v is not None:
            gen[k] = v
    write_json(os.path.join(folder, "generation_config.json"), gen)


def residual_add_names(onnx_path, limit_layers=None):
    """Names of the Add nodes per layer scope, for the README (the engine finds them by structure)."""
    import re

    import onnx

    m = onnx.load(onnx_path, load_external_data=False)
    layers = {}
    for n in m.graph.node:
        mm = re.match(r"^(.*?(?:h|layers)\.(\d+))/(Add(?:_\d+)?)$", n.name)
        if mm and n.op_type == "Add":
            layers.setdefault(int(mm.group(2)), []).append(n.name)
    return layers
