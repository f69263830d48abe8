#!/usr/bin/env python3
"""Times tools/stats_recipe.py on a model of a real size without downloading one: a Llama model
with random weights (Llama-2-7B's shape by default) made on the GPU, a byte-level stand-in tokenizer
(ids are all a random model needs), and public-domain text from this repository. Prints one JSON
object: forward tokens/s with and without the recipe's float64 accumulation, the time to write the
stats file and its size, and the GPU's peak memory (docs/scale-out.md records the figures).

    python tools/stats_recipe_gpu_bench.py --dtype bfloat16 --tokens 8192 --out /tmp/part.safetensors

Small shapes (--layers 2 --hidden 64 ...) run on the CPU as a dry run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats_recipe  # noqa: E402


class ByteTokenizer:
    """UTF-8 bytes shifted past the special ids, BOS first: a valid id sequence for any vocab > 259."""

    def __init__(self, bos: int):
        self.bos = bos

    def __call__(self, text: str):
        return {"input_ids": [self.bos] + [b + 3 for b in text.encode("utf-8")]}


def texts_of(path: str, tokens: int, window: int) -> list[str]:
    """Documents of about `window` bytes each from `path`, `tokens` bytes in all."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    docs, at = [], 0
    while sum(len(d.encode("utf-8")) + 1 for d in docs) < tokens:
        if at + window > len(text):
            at = 0
        docs.append(text[at : at + window - 1])
        at += window - 1
    return docs


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--hidden", type=int, default=4096)
    p.add_argument("--intermediate", type=int, default=11008)
    p.add_argument("--heads", type=int, default=32)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--tokens", type=int, default=8192, help="tokens of text through the model")
    p.add_argument("--window", type=int, default=1024)
    p.add_argument("--text", default=os.path.join(os.path.dirname(__file__), "..", "public", "corpus", "reference-en.txt"))
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    from transformers import LlamaConfig, LlamaForCausalLM

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, args.dtype)
    config = LlamaConfig(
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.heads,
        vocab_size=args.vocab,
        max_position_embeddings=4096,
        bos_token_id=1,
        eos_token_id=2,
    )
    torch.manual_seed(0)
    t0 = time.perf_counter()
    with torch.device(device):
        model = LlamaForCausalLM(config).to(dtype).eval()
    sync(device)
    made = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()

    tokenizer = ByteTokenizer(config.bos_token_id)
    texts = texts_of(args.text, args.tokens, args.window)
    n_tokens = sum(len(tokenizer(t)["input_ids"]) for t in texts)

    # The plain forward (what any inference job pays), for the same windows.
    with torch.no_grad():
        warm = torch.tensor([tokenizer(texts[0])["input_ids"]], device=device)
        model(input_ids=warm, use_cache=False)
        sync(device)
        t0 = time.perf_counter()
        for t in texts:
            model(input_ids=torch.tensor([tokenizer(t)["input_ids"]], device=device), use_cache=False)
        sync(device)
        plain = time.perf_counter() - t0

    t0 = time.perf_counter()
    moments, meta = stats_recipe.run(model, tokenizer, "random/llama-7b-shape", texts, args.window, False, args.dtype)
    sync(device)
    recipe = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats_recipe.write_stats(args.out, moments, meta)
    written = time.perf_counter() - t0

    print(
        json.dumps(
            {
                "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
                "torch": torch.__version__,
                "shape": {"layers": args.layers, "hidden": args.hidden, "intermediate": args.intermediate, "vocab": args.vocab, "params": params},
                "dtype": args.dtype,
                "tokens": n_tokens,
                "kept": moments.n,
                "windows": len(texts),
                "modelMadeS": round(made, 2),
                "plainForwardS": round(plain, 3),
                "plainTokensPerS": round(n_tokens / plain, 1),
                "recipeS": round(recipe, 3),
                "recipeTokensPerS": round(n_tokens / recipe, 1),
                "statsOverPlain": round(recipe / plain, 2),
                "writeS": round(written, 2),
                "fileBytes": os.path.getsize(args.out),
                "peakGpuBytes": torch.cuda.max_memory_allocated() if device.type == "cuda" else None,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
