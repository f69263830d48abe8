#!/usr/bin/env python3
"""Train the default model, linscope/tiny-gpt2: a small GPT-2 (Hugging Face GPT2LMHeadModel) on the
public-domain text prepared by prepare_text.py (King James Bible + Jargon File), with GPT-2's
byte-level BPE truncated to its first --vocab entries.

Setup:  python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
Data:   .venv/bin/python tools/models/prepare_text.py --vocab 4096
Train:  .venv/bin/python tools/models/train_tiny_gpt2.py --steps 6000      (CPU, 1 thread)
Export: .venv/bin/python tools/models/export_tiny_gpt2.py                    (-> public/models/linscope/tiny-gpt2)

The exact command and settings used for the committed model are in public/models/linscope/tiny-gpt2/README.md
and in training.json next to the weights. Checkpoints go to .generated/tiny-gpt2-train/ (git-ignored):
  last/  model + optimizer state (for --resume)   best/  the checkpoint with the lowest validation loss
  log.jsonl  one line per evaluation
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def get_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, ".generated", "tiny-gpt2-data"))
    ap.add_argument("--out", default=os.path.join(ROOT, ".generated", "tiny-gpt2-train"))
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is faster on a busy machine)")
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--eval-windows", type=int, default=100)
    ap.add_argument("--max-minutes", type=float, default=0.0, help="stop early after this wall time (0 = no limit)")
    ap.add_argument("--resume", action="store_true")
    return ap.parse_args()


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * p))


def build_model(args, vocab, eos):
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(
        vocab_size=vocab,
        n_positions=args.ctx,
        n_embd=args.d,
        n_layer=args.layers,
        n_head=args.heads,
        n_inner=4 * args.d,
        activation_function="gelu_new",
        resid_pdrop=args.dropout,
        embd_pdrop=args.dropout,
        attn_pdrop=args.dropout,
        bos_token_id=eos,
        eos_token_id=eos,
        tie_word_embeddings=True,
    )
    return GPT2LMHeadModel(config)


@torch.no_grad()
def evaluate(model, val, ctx, windows):
    model.eval()
    n = min(windows, (len(val) - 1) // ctx)
    total, count = 0.0, 0
    for i in range(0, n, 10):
        rows = range(i, min(n, i + 10))
        x = torch.stack([torch.from_numpy(val[r * ctx:(r + 1) * ctx].astype(np.int64)) for r in rows])
        y = torch.stack([torch.from_numpy(val[r * ctx + 1:(r + 1) * ctx + 1].astype(np.int64)) for r in rows])
        logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum")
        total += float(loss)
        count += y.numel()
    model.train()
    return total / count


def save(model, opt, step, args, out_dir, extra):
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    if opt is not None:
        torch.save({"optimizer": opt.state_dict(), "step": step, "rng": torch.get_rng_state()},
                   os.path.join(out_dir, "trainer_state.pt"))
    with open(os.path.join(out_dir, "training.json"), "w") as f:
        json.dump({"step": step, "args": vars(args), **extra}, f, indent=2)


def main():
    args = get_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    vocab, eos = meta["vocab"], meta["eos_id"]
    train = np.fromfile(os.path.join(args.data, "train.bin"), dtype=np.uint16)
    val = np.fromfile(os.path.join(args.data, "val.bin"), dtype=np.uint16)
    model = build_model(args, vocab, eos)
    print(f"params: {sum(p.numel() for p in model.parameters()):,}  train tokens {len(train):,}  val {len(val):,}")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95),
    )
    step = 0
    best = float("inf")
    last_dir, best_dir = os.path.join(args.out, "last"), os.path.join(args.out, "best")
    if args.resume and os.path.exists(os.path.join(last_dir, "trainer_state.pt")):
        from transformers import GPT2LMHeadModel

        model = GPT2LMHeadModel.from_pretrained(last_dir)
        st = torch.load(os.path.join(last_dir, "trainer_state.pt"))
        decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
        opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=args.lr, betas=(0.9, 0.95),
        )
        opt.load_state_dict(st["optimizer"])
        step = st["step"]
        torch.set_rng_state(st["rng"])
        if os.path.exists(os.path.join(best_dir, "training.json")):
            best = json.load(open(os.path.join(best_dir, "training.json")))["val_loss"]
        print(f"resumed at step {step}")
    # Batches: a seeded generator per step, so a resumed run draws the same windows.
    model.train()
    log = open(os.path.join(args.out, "log.jsonl") if os.path.isdir(args.out) else (os.makedirs(args.out) or os.path.join(args.out, "log.jsonl")), "a")
    t0 = time.time()
    tokens_done = 0
    running = None
    while step < args.steps:
        rng = np.random.default_rng([args.seed, step])
        starts = rng.integers(0, len(train) - args.ctx - 1, size=args.batch)
        x = torch.from_numpy(np.stack([train[s:s + args.ctx] for s in starts]).astype(np.int64))
        y = torch.from_numpy(np.stack([train[s + 1:s + args.ctx + 1] for s in starts]).astype(np.int64))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_done += x.numel()
        loss_value = float(loss.detach())
        running = loss_value if running is None else 0.98 * running + 0.02 * loss_value
        elapsed = time.time() - t0
        if step % 50 == 0:
            print(f"step {step} loss {loss_value:.3f} ema {running:.3f} {tokens_done / elapsed:.0f} tok/s", flush=True)
        out_of_time = args.max_minutes > 0 and elapsed > args.max_minutes * 60
        if step % args.eval_every == 0 or step == args.steps or out_of_time:
            vl = evaluate(model, val, args.ctx, args.eval_windows)
            rec = {"step": step, "train_loss_ema": round(running, 4), "val_loss": round(vl, 4),
                   "lr": lr_at(step - 1, args), "elapsed_s": round(elapsed, 1),
                   "tokens_per_s": round(tokens_done / elapsed, 1)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            save(model, opt, step, args, last_dir, {"val_loss": vl})
            if vl < best:
                best = vl
                save(model, None, step, args, best_dir, {"val_loss": vl, "train_loss_ema": running})
        if out_of_time:
            print("stopping: --max-minutes reached", flush=True)
            break
    print(f"done: step {step}, best val loss {best:.4f}")


if __name__ == "__main__":
    main()
