#!/usr/bin/env python3
"""Runs tools/stats_recipe.py on fixtures/tiny-random-gpt2 (rebuilt in PyTorch from its seed) and
writes what tests/cli/statsRecipe.test.ts checks LinScope against:

  tests/fixtures/stats/shard.jsonl                     the shard (documents of the bundled corpus)
  tests/fixtures/stats/tiny-random-gpt2.recipe.safetensors   the recipe's linscope.stats/v1 file
  tests/fixtures/stats/tiny-random-gpt2.states.safetensors   the hidden states it summed, [L+1, N, d]

  .venv/bin/python tools/stats_recipe_fixture.py
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "models"))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402
import onnx_export as ox  # noqa: E402
import stats_recipe  # noqa: E402

OUT = os.path.join(ox.ROOT, "tests", "fixtures", "stats")
NAME = "tiny-random-gpt2"


def main():
    from safetensors.numpy import save_file
    from transformers import AutoTokenizer

    os.makedirs(OUT, exist_ok=True)
    corpus = open(os.path.join(ox.ROOT, "public", "corpus", "reference-en.txt"), encoding="utf-8").read()
    docs = [d[:400] for d in corpus.split("\n\n")[:6]]
    shard = os.path.join(OUT, "shard.jsonl")
    with open(shard, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"text": d}) + "\n")
    fixture = os.path.join(mf.FIXTURES, NAME)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "fixtures", NAME)
        model = mf.build_model(mf.specs()[NAME])
        model.save_pretrained(folder)
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(fixture, name), folder)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        dump = []
        texts = stats_recipe.read_documents(shard)
        moments, meta = stats_recipe.run(model, tokenizer, folder, texts, 128, False, "float32", dump)
        out = os.path.join(OUT, f"{NAME}.recipe.safetensors")
        stats_recipe.write_stats(out, moments, meta)
        os.chmod(out, 0o644)
    states = np.concatenate([s for s, _ in dump], axis=1)
    ids = np.concatenate([np.asarray(i, dtype=np.int64) for _, i in dump])
    path = os.path.join(OUT, f"{NAME}.states.safetensors")
    save_file({"hidden_states": np.ascontiguousarray(states, dtype=np.float32), "input_ids": ids}, path)
    os.chmod(path, 0o644)
    print(f"{NAME}: {states.shape[1]} tokens summed, {meta['model']}")


if __name__ == "__main__":
    main()
