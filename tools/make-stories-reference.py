#!/usr/bin/env python3
"""Writes public/corpus/reference-stories.txt: the reference corpus of the story models
(stories260K and the other llama2.c TinyStories checkpoints; src/model/catalog.ts,
`bundledReferenceFile`). There is no public-domain children's-story corpus on these machines, so
the stories are the model's own: stories260K sampled from BOS at temperature 1 (no top-k, no
top-p) with torch's generator seeded, each story ending at EOS, at the next BOS, or after
--max-tokens tokens (then cut after its last full stop). Blank lines inside a story become single
newlines, so one story is one document of the blank-line-separated file.

  .venv/bin/python tools/make-stories-reference.py [--stories 160] [--seed 260] [--out FILE]

Loads the checkpoint with tools/stories260k_reference.py (Hugging Face LlamaForCausalLM with the
q/k permutation that file checks against a NumPy port of llama2.c's run.c).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stories260k_reference import BOS, EOS, ROOT, hf_model, llama2c_decode, read_checkpoint, read_tokenizer  # noqa: E402


def sample_story(model, generator: torch.Generator, max_tokens: int) -> list[int]:
    ids = [BOS]
    past = None
    step = torch.tensor([[BOS]])
    with torch.no_grad():
        for _ in range(max_tokens):
            out = model(step, past_key_values=past, use_cache=True)
            past = out.past_key_values
            probs = torch.softmax(out.logits[0, -1].double(), dim=-1)
            nxt = int(torch.multinomial(probs, 1, generator=generator))
            if nxt in (BOS, EOS):
                break
            ids.append(nxt)
            step = torch.tensor([[nxt]])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=ROOT.parent / "shared/models/stories260K")
    parser.add_argument("--stories", type=int, default=160)
    parser.add_argument("--seed", type=int, default=260)
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "public/corpus/reference-stories.txt")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg, w = read_checkpoint(args.model_dir / "stories260K.bin")
    pieces, _ = read_tokenizer(args.model_dir / "tok512.bin", cfg["vocab"])
    model = hf_model(cfg, w)
    generator = torch.Generator().manual_seed(args.seed)
    stories = []
    tokens = 0
    for _ in range(args.stories):
        ids = sample_story(model, generator, args.max_tokens)
        text = llama2c_decode(ids, pieces).strip()
        if len(ids) > args.max_tokens and ". " in text:
            text = text[: text.rindex(". ") + 1]
        while "\n\n" in text:
            text = text.replace("\n\n", "\n")
        if text:
            stories.append(text)
            tokens += len(ids)
    args.out.write_text("\n\n".join(stories) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(stories)} stories, ~{tokens} tokens, seed {args.seed}")


if __name__ == "__main__":
    main()
