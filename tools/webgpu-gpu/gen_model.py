#!/usr/bin/env python3
"""GPT-2-shaped model with random weights (seeded), exported the way LinScope's
tools/models/make_bench_model.py does it (onnx_export.export_onnx: torch.onnx.export(dynamo=False),
opset 17, past inputs, then the tied lm_head de-duplicated), minus the tokenizer (needs node+npm).

  python gen_model.py --out DIR [--layers 12 --d 768 --heads 12 --vocab 50257 --ctx 1024]
Writes DIR/config.json and DIR/onnx/model.onnx.
"""
import argparse
import os
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import onnx_export as ox  # noqa: E402  (LinScope's tools/models/onnx_export.py)

SEED = 2024  # make_bench_model.py's seed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from transformers import GPT2Config, GPT2LMHeadModel

    t0 = time.time()
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))
    config = GPT2Config(vocab_size=args.vocab, n_positions=args.ctx, n_embd=args.d, n_layer=args.layers,
                        n_head=args.heads, bos_token_id=args.vocab - 1, eos_token_id=args.vocab - 1)
    torch.manual_seed(SEED)
    model = GPT2LMHeadModel._from_config(config, attn_implementation="eager", dtype=torch.float32).eval()
    model.config.save_pretrained(out)
    raw = os.path.join(out, "onnx", "model_raw.onnx")
    ox.export_onnx(model, raw)
    t1 = time.time()
    path = os.path.join(out, "onnx", "model.onnx")
    if not ox.dedup_tied_lm_head(raw, path):
        shutil.move(raw, path)
    if os.path.exists(raw):
        os.remove(raw)
    print(f"gen_model: {path} {os.path.getsize(path) / 2**20:.1f} MiB; export {t1 - t0:.1f} s, "
          f"dedup {time.time() - t1:.1f} s; {ox.versions()}", flush=True)


if __name__ == "__main__":
    main()
