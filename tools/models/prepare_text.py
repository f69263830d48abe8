#!/usr/bin/env python3
"""Prepare the public-domain training text for the default model (linscope/tiny-gpt2).

Sources (Debian packages, both public domain):
  * bible-kjv-text (+ bible-kjv for the `bible` reader): the King James Bible. Read with
    `bible -f "Gen1:1-Rev22:21"` (one verse per line, prefixed by its reference). The reference
    ("Ge1:1 ") is stripped; the verses of a chapter are joined with spaces into one paragraph;
    chapters are separated by a blank line. No book/chapter headings or verse numbers remain.
  * jargon-text: the Jargon File 4.4.7, /usr/share/doc/jargon-text/jargon.txt.gz. Split into
    paragraphs at blank lines, wrapped lines re-joined; paragraphs with fewer than 8 words (table
    of contents, headwords, headings) and those holding box-drawing characters (tables) are
    dropped; cross-reference braces ({bit rot} -> bit rot) are removed and typographic quotes are
    replaced by ASCII quotes.

Output (in --out, default .generated/tiny-gpt2-data/):
  kjv.txt, jargon.txt                  the cleaned texts, documents separated by "\n\n"
  train.bin, val.bin                   uint16 token ids (GPT-2 BPE, first --vocab entries),
                                       documents joined by <|endoftext|>
  meta.json                            counts, split rule, sha256 of the texts

Split: a document (a Bible chapter or a Jargon paragraph) goes to validation when
crc32(document) % 50 == 0 (about 2%), so the split does not depend on order or random state.

Setup: python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
Run:   .venv/bin/python tools/models/prepare_text.py --vocab 4096
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import zlib

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JARGON = "/usr/share/doc/jargon-text/jargon.txt.gz"
# Typographic quotes -> ASCII (the small vocabulary has no merged tokens for them).
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def kjv_documents():
    try:
        raw = subprocess.run(
            ["bible", "-f", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True
        ).stdout
    except FileNotFoundError:
        sys.exit("`bible` not found: apt-get install bible-kjv bible-kjv-text")
    ref = re.compile(r"^([0-9]?[A-Za-z]+)(\d+):(\d+) (.*)$")
    chapters, current, key = [], [], None
    for line in raw.splitlines():
        line = line.strip()
        if not line:
            continue
        m = ref.match(line)
        if not m:
            raise ValueError(f"unexpected line: {line[:80]!r}")
        book, chap, _verse, text = m.groups()
        if (book, chap) != key:
            if current:
                chapters.append(" ".join(current))
            current, key = [], (book, chap)
        current.append(text.strip())
    if current:
        chapters.append(" ".join(current))
    return chapters


def jargon_documents():
    with gzip.open(JARGON, "rt", encoding="utf-8") as f:
        text = f.read()
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in block.splitlines()]
        lines = [l for l in lines if l and not re.fullmatch(r"[═─━=\-_*\s]+", l)]
        if not lines:
            continue
        para = re.sub(r"\s+", " ", " ".join(lines)).strip()
        para = re.sub(r"\{([^{}]*)\}", r"\1", para)  # cross-reference braces: {bit rot} -> bit rot
        para = para.translate(QUOTES)
        if len(para.split()) < 8 or re.search(r"[\u2500-\u257f]", para):
            continue  # headings, TOC entries, headwords; tables drawn with box characters
        paragraphs.append(para)
    return paragraphs


def make_tokenizer(vocab, out_dir):
    subprocess.run(
        ["node", os.path.join(ROOT, "tools", "make-gpt2-tokenizer.mjs"), "--vocab", str(vocab),
         "--max-length", "256", "--out", out_dir],
        check=True,
    )
    from tokenizers import Tokenizer

    return Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--out", default=os.path.join(ROOT, ".generated", "tiny-gpt2-data"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    sources = {"kjv": kjv_documents(), "jargon": jargon_documents()}
    tok = make_tokenizer(args.vocab, os.path.join(args.out, "tokenizer"))
    eos = args.vocab - 1
    split = {"train": [], "val": []}
    meta = {"vocab": args.vocab, "eos_id": eos, "split": "crc32(document) % 50 == 0 -> val", "sources": {}}
    for name, docs in sources.items():
        text = "\n\n".join(docs)
        with open(os.path.join(args.out, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        counts = {"documents": len(docs), "chars": len(text), "train_tokens": 0, "val_tokens": 0}
        encs = tok.encode_batch(docs)
        for doc, enc in zip(docs, encs):
            which = "val" if zlib.crc32(doc.encode("utf-8")) % 50 == 0 else "train"
            split[which].extend(enc.ids)
            split[which].append(eos)
            counts[f"{which}_tokens"] += len(enc.ids) + 1
        counts["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta["sources"][name] = counts
    for which, ids in split.items():
        arr = np.asarray(ids, dtype=np.uint16)
        assert arr.max() < args.vocab
        arr.tofile(os.path.join(args.out, f"{which}.bin"))
        meta[f"{which}_tokens"] = int(arr.size)
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
