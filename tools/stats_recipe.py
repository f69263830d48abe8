#!/usr/bin/env python3
"""LinScope's layer statistics for models too big for a browser tab: one corpus shard through any
Hugging Face causal LM with `transformers` (output_hidden_states=True), the layer moments summed in
float64 on the GPU, written as a `linscope.stats/v1` file that `linscope reduce` merges with any
other shards (docs/scale-out.md). One shard per process: spread a corpus over GPUs or nodes with
whatever runs processes (torchrun, a Slurm array, Ray); LinScope builds no scheduler of its own.

    python tools/stats_recipe.py --model meta-llama/Llama-2-7b-hf --input shard-003.jsonl \\
        --out part-003.safetensors [--dtype bfloat16] [--window 1024] [--exclude-bos]
    npx linscope reduce part-*.safetensors --out result.json

It does what `linscope stats` does, in the same order: each document tokenized with the model's
tokenizer (special tokens as the tokenizer adds them), cut into windows of at most --window tokens
(a later window gets the BOS token in front when the document starts with it; that added token's
states are not kept), every kept token's L+1 hidden states summed. Per window: mean and centred
co-moments in float64, merged into the running totals by the pairwise update (Chan, Golub and
LeVeque), the same formulas as src/analysis/layerMoments.ts.

Needs: torch, transformers, safetensors (and accelerate for --device-map auto).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

SCHEMA = "linscope.stats/v1"
RECIPE_VERSION = 1


class Moments:
    """Per state: mean, centred co-moment; per pair: centred cross-moment (target rows), float64."""

    def __init__(self, layers: int, d: int, device):
        self.n = 0
        self.mean = torch.zeros(layers + 1, d, dtype=torch.float64, device=device)
        self.gram = torch.zeros(layers + 1, d, d, dtype=torch.float64, device=device)
        self.cross = torch.zeros(layers, d, d, dtype=torch.float64, device=device)

    def add(self, states: torch.Tensor) -> None:
        """states: [L+1, t, d] of the kept tokens of one window."""
        t = states.shape[1]
        if t == 0:
            return
        h = states.to(torch.float64)
        mean = h.mean(dim=1)
        c = h - mean[:, None, :]
        gram = torch.einsum("stf,stg->sfg", c, c)
        cross = torch.einsum("stf,stg->sfg", c[1:], c[:-1])
        if self.n == 0:
            self.n, self.mean, self.gram, self.cross = t, mean, gram, cross
            return
        n = self.n + t
        w = self.n * t / n
        delta = mean - self.mean
        self.gram = self.gram + gram + w * torch.einsum("sf,sg->sfg", delta, delta)
        self.cross = self.cross + cross + w * torch.einsum("sf,sg->sfg", delta[1:], delta[:-1])
        self.mean = self.mean + delta * (t / n)
        self.n = n


def plan_windows(ids: list[int], max_length: int, bos: int | None):
    """As src/model/windows.ts planWindows: (window ids, index of the first kept position)."""
    windows = []
    add_bos = bos is not None and len(ids) > 0 and ids[0] == bos
    start = 0
    while start < len(ids):
        prefix = [bos] if windows and add_bos else []
        take = min(len(ids) - start, max_length - len(prefix))
        windows.append((prefix + ids[start:start + take], len(prefix)))
        start += take
    return windows


def read_documents(path: str) -> list[str]:
    """A .jsonl file (a {"text": ...} object or a string per line), else blank-line separated text."""
    with open(path, encoding="utf-8") as f:
        content = f.read()
    if path.endswith(".jsonl"):
        docs = []
        for i, line in enumerate(content.split("\n")):
            if not line.strip():
                continue
            value = json.loads(line)
            if isinstance(value, str):
                docs.append(value)
            elif isinstance(value, dict) and isinstance(value.get("text"), str):
                docs.append(value["text"])
            else:
                raise SystemExit(f'{path} line {i + 1} has no "text" string')
        return [d for d in docs if d.strip()]
    import re

    return [d.strip() for d in re.split(r"\n\s*\n", content) if d.strip()]


def model_id(model: str) -> str:
    """As `linscope stats` names it: a folder's last two path parts, else the Hub id."""
    if os.path.isdir(model):
        return "/".join([p for p in os.path.abspath(model).replace("\\", "/").split("/") if p][-2:])
    return model


@torch.no_grad()
def shard_moments(model, tokenizer, texts, window: int, exclude_bos: bool, dump=None):
    """The moments of `texts`; with `dump` (a list), also every window's kept states (for tests)."""
    config = model.config
    layers = config.num_hidden_layers
    device = next(model.parameters()).device
    bos = config.bos_token_id if isinstance(config.bos_token_id, int) else None
    moments = None
    vocab = None
    for text in texts:
        ids = tokenizer(text)["input_ids"]
        for window_ids, keep_from in plan_windows(ids, window, bos):
            out = model(input_ids=torch.tensor([window_ids], device=device), use_cache=False, output_hidden_states=True)
            vocab = out.logits.shape[-1]
            states = torch.stack([h[0] for h in out.hidden_states])[:, keep_from:, :]
            # The token at position 0 (the document's BOS, or a window's first token when the text
            # has no BOS); a window with an added BOS has already dropped it (keep_from == 1).
            drop_first = exclude_bos and keep_from == 0
            if drop_first:
                states = states[:, 1:, :]
            if moments is None:
                moments = Moments(layers, states.shape[-1], device)
            moments.add(states)
            if dump is not None:
                dump.append((states.float().cpu().numpy(), window_ids[keep_from + (1 if drop_first else 0):]))
    return moments, vocab


def write_stats(path, moments: Moments, meta: dict) -> None:
    from safetensors.numpy import save_file

    tensors = {"count": np.array([moments.n], dtype=np.int64)}
    for s in range(moments.mean.shape[0]):
        tensors[f"mean.{s}"] = moments.mean[s].cpu().numpy()
        tensors[f"gram.{s}"] = moments.gram[s].cpu().numpy()
    for l in range(moments.cross.shape[0]):
        tensors[f"cross.{l}"] = moments.cross[l].cpu().numpy()
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, path, metadata={"linscope": json.dumps(meta)})


def run(model, tokenizer, model_name: str, texts, window: int, exclude_bos: bool, dtype: str, dump=None):
    """The moments of `texts` and the file's metadata; `window` is capped at the model's context."""
    from transformers import __version__ as transformers_version

    if not texts:
        raise SystemExit("the shard has no text")
    config = model.config
    context = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    window = max(2, min(window, context or window))
    moments, vocab = shard_moments(model, tokenizer, texts, window, exclude_bos, dump)
    meta = {
        "schema": SCHEMA,
        "model": {
            "id": model_id(model_name),
            "type": getattr(config, "model_type", None),
            "layers": config.num_hidden_layers,
            "hidden": config.hidden_size,
            "vocab": vocab,
            "dtype": f"torch-{dtype}",
            "graph": "residual-add",
        },
        "settings": {"excludeBos": exclude_bos, "windowLength": window},
        "documents": len(texts),
        "generator": f"linscope-recipe {RECIPE_VERSION} (transformers {transformers_version}, torch {torch.__version__})",
    }
    return moments, meta


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="Hub id or folder of a Hugging Face causal LM")
    parser.add_argument("--input", required=True, help=".jsonl or blank-line separated .txt shard")
    parser.add_argument("--out", required=True)
    parser.add_argument("--window", type=int, default=1024, help="longest window (capped at the context)")
    parser.add_argument("--exclude-bos", action="store_true", help="leave out every token run at position 0: each document's BOS (each window's first token when there is no BOS)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--device-map", default=None, help='"auto" spreads a big model over the GPUs (accelerate)')
    args = parser.parse_args(argv)

    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    kwargs = {"dtype": getattr(torch, args.dtype)}
    if args.device_map:
        kwargs["device_map"] = args.device_map
    model = AutoModelForCausalLM.from_pretrained(args.model, **kwargs)
    if not args.device_map:
        model = model.to(args.device)
    model.eval()
    moments, meta = run(model, tokenizer, args.model, read_documents(args.input), args.window, args.exclude_bos, args.dtype)
    write_stats(args.out, moments, meta)
    m = meta["model"]
    print(f"{args.out}: {moments.n} tokens, {meta['documents']} documents, {m['layers']} layers, d = {m['hidden']}")


if __name__ == "__main__":
    main(sys.argv[1:])
