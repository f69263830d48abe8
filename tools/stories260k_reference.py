#!/usr/bin/env python3
"""Reference values for the stories260K conversion tests (tests/models/stories260k.test.ts).

Loads llama2.c's stories260K.bin into Hugging Face's LlamaForCausalLM (with the q/k row
permutation from interleaved to rotate-half RoPE), checks it against an independent NumPy
port of llama2.c's run.c forward pass (interleaved RoPE, no permutation) and against the known
story start, and writes

  tests/fixtures/stories260k/reference.safetensors
      input_ids          int64   [T]          the fixed prompt, BOS first
      hidden_states      float32 [6, T, 64]   output_hidden_states=True (embeddings, the input
                                              of layers 1..4, then the *final-normed* state)
      last_block_output  float32 [T, 64]      output of the last block, before the final norm
      logits             float32 [T, 512]
  tests/fixtures/stories260k/reference.json
      prompt text and ids, greedy continuation from BOS, llama2.c encodings of test strings,
      sha256 of the inputs, versions

Never needed by `npm test`. Setup (offline wheel mirror on the project machines):

  python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors
  .venv/bin/python tools/stories260k_reference.py [--model-dir ../shared/models/stories260K]

One file (~400 lines) on purpose: the Hugging Face load, the NumPy port of run.c and the checks
between them are one reference, and are read together.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from pathlib import Path

import numpy as np
import safetensors
import torch
import transformers
from safetensors.numpy import save_file
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Once upon a time, there was a little girl named Lily."
KNOWN_STORY_START = (
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
)
GREEDY_TOKENS = 40
BOS, EOS = 1, 2
# Strings whose llama2.c encodings the tokenizer test compares with transformers.js.
TOKENIZER_CASES = [
    PROMPT,
    "Lily and Ben were friends. They liked to play with their toys.",
    'She said, "I love you, Mom!" and smiled.',
    "hello  world\nsecond line",
    "The café costs 5€ — naïve 🐶!",
    " leading space",
    "a",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- llama2.c checkpoint (legacy v0) -------------------------------------------------------


def read_checkpoint(path: Path):
    data = path.read_bytes()
    dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len = struct.unpack_from("<7i", data, 0)
    shared = vocab > 0
    vocab = abs(vocab)
    floats = np.frombuffer(data, dtype="<f4", offset=28)
    head = dim // n_heads
    kv_dim = n_kv_heads * head
    offset = 0

    def take(*shape):
        nonlocal offset
        n = int(np.prod(shape))
        out = floats[offset : offset + n].reshape(shape).copy()
        offset += n
        return out

    w = {"tok": take(vocab, dim)}
    w["rms_att"] = take(n_layers, dim)
    w["wq"] = take(n_layers, dim, dim)
    w["wk"] = take(n_layers, kv_dim, dim)
    w["wv"] = take(n_layers, kv_dim, dim)
    w["wo"] = take(n_layers, dim, dim)
    w["rms_ffn"] = take(n_layers, dim)
    w["w1"] = take(n_layers, hidden, dim)
    w["w2"] = take(n_layers, dim, hidden)
    w["w3"] = take(n_layers, hidden, dim)
    w["rms_final"] = take(dim)
    take(seq_len, head // 2)  # freq_cis_real (unused, recomputed)
    take(seq_len, head // 2)  # freq_cis_imag
    w["cls"] = w["tok"] if shared else take(vocab, dim)
    assert offset == floats.size, (offset, floats.size)
    cfg = dict(
        dim=dim, hidden=hidden, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads,
        vocab=vocab, seq_len=seq_len, head=head, shared=shared,
    )
    return cfg, w


# --- llama2.c tokenizer: an independent port of run.c's encode()/decode() -------------------


def read_tokenizer(path: Path, vocab_size: int):
    data = path.read_bytes()
    (max_len,) = struct.unpack_from("<i", data, 0)
    offset = 4
    pieces, scores = [], []
    for _ in range(vocab_size):
        score, length = struct.unpack_from("<fi", data, offset)
        offset += 8
        pieces.append(data[offset : offset + length])
        scores.append(score)
        offset += length
    assert offset == len(data)
    return pieces, scores


def llama2c_encode(text: str, pieces: list[bytes], scores: list[float], bos=True) -> list[int]:
    """run.c encode(): code points (or byte fallback), then repeatedly merge the adjacent pair
    whose concatenation is the best-scoring piece (leftmost on ties). A dummy-prefix " " token
    goes first when the text is not empty."""
    lookup = {p: i for i, p in enumerate(pieces)}
    tokens = [BOS] if bos else []
    if text:
        tokens.append(lookup[b" "])
    for ch in text:
        b = ch.encode("utf-8")
        if b in lookup:
            tokens.append(lookup[b])
        else:
            tokens.extend(byte + 3 for byte in b)
    while True:
        best_score, best_id, best_idx = -1e10, -1, -1
        for i in range(len(tokens) - 1):
            merged = pieces[tokens[i]] + pieces[tokens[i + 1]]
            idx = lookup.get(merged)
            if idx is not None and scores[idx] > best_score:
                best_score, best_id, best_idx = scores[idx], idx, i
        if best_idx == -1:
            break
        tokens[best_idx : best_idx + 2] = [best_id]
    return tokens


def llama2c_decode(ids: list[int], pieces: list[bytes]) -> str:
    """run.c decode() of a whole sequence: <0xNN> pieces are raw bytes, the space right after
    BOS is dropped, BOS/EOS are not text."""
    out = b""
    prev = None
    for t in ids:
        if t in (BOS, EOS):
            prev = t
            continue
        piece = pieces[t]
        if prev in (BOS, None) and piece.startswith(b" "):
            piece = piece[1:]
        if piece.startswith(b"<0x") and piece.endswith(b">") and len(piece) == 6:
            piece = bytes([int(piece[3:5], 16)])
        out += piece
        prev = t
    return out.decode("utf-8", errors="replace")


# --- NumPy port of run.c's forward(): interleaved RoPE, grouped-query attention -----------


def rmsnorm(x, weight):
    ss = np.mean(x.astype(np.float64) ** 2) + 1e-5
    return (x / np.sqrt(ss)) * weight


def llama2c_forward_all(cfg, w, tokens: list[int]) -> np.ndarray:
    """Logits for every position, computed one token at a time with a KV cache, as run.c does."""
    dim, head, n_heads, n_kv = cfg["dim"], cfg["head"], cfg["n_heads"], cfg["n_kv_heads"]
    kv_mul = n_heads // n_kv
    key_cache = np.zeros((cfg["n_layers"], len(tokens), n_kv * head))
    value_cache = np.zeros_like(key_cache)
    all_logits = []
    for pos, token in enumerate(tokens):
        x = w["tok"][token].astype(np.float64)
        for layer in range(cfg["n_layers"]):
            xb = rmsnorm(x, w["rms_att"][layer])
            q = w["wq"][layer] @ xb
            k = w["wk"][layer] @ xb
            v = w["wv"][layer] @ xb
            for i in range(0, dim, 2):
                freq = 1.0 / 10000.0 ** ((i % head) / head)
                fcr, fci = np.cos(pos * freq), np.sin(pos * freq)
                for vec in (q, k) if i < n_kv * head else (q,):
                    v0, v1 = vec[i], vec[i + 1]
                    vec[i], vec[i + 1] = v0 * fcr - v1 * fci, v0 * fci + v1 * fcr
            key_cache[layer, pos] = k
            value_cache[layer, pos] = v
            out = np.zeros(dim)
            for h in range(n_heads):
                qh = q[h * head : (h + 1) * head]
                kv = (h // kv_mul) * head
                att = key_cache[layer, : pos + 1, kv : kv + head] @ qh / np.sqrt(head)
                att = np.exp(att - att.max())
                att /= att.sum()
                out[h * head : (h + 1) * head] = att @ value_cache[layer, : pos + 1, kv : kv + head]
            x = x + w["wo"][layer] @ out
            xb = rmsnorm(x, w["rms_ffn"][layer])
            h1 = w["w1"][layer] @ xb
            h3 = w["w3"][layer] @ xb
            x = x + w["w2"][layer] @ (h1 / (1 + np.exp(-h1)) * h3)
        all_logits.append(w["cls"] @ rmsnorm(x, w["rms_final"]))
    return np.array(all_logits)


# --- Hugging Face model ----------------------------------------------------------------------


def permute_rotary(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """convert_llama_weights_to_hf.py's permute(): interleaved pairs -> rotate-half halves."""
    out_dim, in_dim = weight.shape
    return (
        weight.reshape(n_heads, out_dim // n_heads // 2, 2, in_dim)
        .transpose(0, 2, 1, 3)
        .reshape(out_dim, in_dim)
    )


def hf_model(cfg, w) -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=cfg["vocab"], hidden_size=cfg["dim"], intermediate_size=cfg["hidden"],
        num_hidden_layers=cfg["n_layers"], num_attention_heads=cfg["n_heads"],
        num_key_value_heads=cfg["n_kv_heads"], head_dim=cfg["head"],
        max_position_embeddings=cfg["seq_len"], rms_norm_eps=1e-5, rope_theta=10000.0,
        tie_word_embeddings=cfg["shared"], bos_token_id=BOS, eos_token_id=EOS,
        attn_implementation="eager",
    )
    model = LlamaForCausalLM(config)
    state = {"model.embed_tokens.weight": w["tok"], "model.norm.weight": w["rms_final"],
             "lm_head.weight": w["cls"]}
    for i in range(cfg["n_layers"]):
        p = f"model.layers.{i}."
        state[p + "input_layernorm.weight"] = w["rms_att"][i]
        state[p + "self_attn.q_proj.weight"] = permute_rotary(w["wq"][i], cfg["n_heads"])
        state[p + "self_attn.k_proj.weight"] = permute_rotary(w["wk"][i], cfg["n_kv_heads"])
        state[p + "self_attn.v_proj.weight"] = w["wv"][i]
        state[p + "self_attn.o_proj.weight"] = w["wo"][i]
        state[p + "post_attention_layernorm.weight"] = w["rms_ffn"][i]
        state[p + "mlp.gate_proj.weight"] = w["w1"][i]
        state[p + "mlp.down_proj.weight"] = w["w2"][i]
        state[p + "mlp.up_proj.weight"] = w["w3"][i]
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    # Only buffers (rotary inv_freq) may be missing; a tied lm_head may be reported either way.
    assert not unexpected or unexpected == ["lm_head.weight"], unexpected
    assert all("rotary_emb" in m or m == "lm_head.weight" for m in missing), missing
    return model.eval()


def cross_check_converted(folder: Path, cases, prompt_ids, hf_logits) -> dict:
    """Checks of the TypeScript converter's output with Python's own libraries (optional)."""
    checks = {}
    if (folder / "tokenizer.json").exists():
        from tokenizers import Tokenizer

        hf_tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        for case in cases:
            encoded = hf_tokenizer.encode(case["text"]).ids
            assert encoded == case["ids"], (case, encoded)
            assert hf_tokenizer.decode(encoded, skip_special_tokens=True) == case["text"], case
        checks["tokenizers_encode_decode"] = "ok"
    model_path = folder / "onnx/model.onnx"
    if model_path.exists():
        import onnx

        onnx.checker.check_model(onnx.load(str(model_path)), full_check=True)
        checks["onnx_checker_full"] = "ok"
        try:
            import onnxruntime
        except ImportError:
            return checks
        session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
        t = len(prompt_ids)
        feeds = {
            "input_ids": np.array([prompt_ids], dtype=np.int64),
            "attention_mask": np.ones((1, t), dtype=np.int64),
            "position_ids": np.arange(t, dtype=np.int64)[None],
        }
        for inp in session.get_inputs():
            if inp.name.startswith("past_key_values."):
                feeds[inp.name] = np.zeros((1, inp.shape[1], 0, inp.shape[3]), dtype=np.float32)
        (ort_logits,) = session.run(["logits"], feeds)
        diff = float(np.abs(ort_logits[0] - hf_logits).max())
        assert diff < 1e-4, diff
        checks["onnxruntime_python_max_abs_diff_logits"] = diff
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=ROOT.parent / "shared/models/stories260K")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "tests/fixtures/stories260k")
    parser.add_argument(
        "--converted-dir", type=Path,
        default=ROOT / ".generated/models/karpathy/stories260K",
        help="output of tools/convert-llama2c.ts to cross-check (tokenizer.json with Hugging Face"
        " tokenizers, onnx/model.onnx with onnx.checker and onnxruntime), if it exists",
    )
    args = parser.parse_args()
    checkpoint_path = args.model_dir / "stories260K.bin"
    tokenizer_path = args.model_dir / "tok512.bin"
    torch.manual_seed(0)
    torch.set_num_threads(1)

    cfg, w = read_checkpoint(checkpoint_path)
    pieces, scores = read_tokenizer(tokenizer_path, cfg["vocab"])
    # Word starts are spaces (llama2.c's exporter replaced U+2581); a space only ever begins a
    # piece, so merging over the whole text equals sentencepiece's per-word merging.
    assert all(b" " not in p[1:] for p in pieces[3 + 256 :]), "a piece has an inner space"

    ids = llama2c_encode(PROMPT, pieces, scores)
    assert llama2c_decode(ids, pieces) == PROMPT

    model = hf_model(cfg, w)
    input_ids = torch.tensor([ids])
    captured = {}
    hook = model.model.layers[-1].register_forward_hook(
        lambda _m, _i, out: captured.__setitem__("last", (out[0] if isinstance(out, tuple) else out).detach())
    )
    with torch.no_grad():
        out = model(input_ids, output_hidden_states=True, use_cache=False)
    hook.remove()
    logits = out.logits[0].numpy()
    hidden = torch.stack(out.hidden_states)[:, 0].numpy()
    last_block = captured["last"][0].numpy()

    # HF's last hidden state is the final-normed one; check that convention here.
    normed = model.model.norm(captured["last"])[0].detach().numpy()
    assert np.abs(normed - hidden[-1]).max() < 1e-6, "hidden_states[-1] is not the final-normed state"

    # Independent check of the permutation: run.c's interleaved forward gives the same logits.
    numpy_logits = llama2c_forward_all(cfg, w, ids)
    max_numpy_diff = float(np.abs(numpy_logits - logits).max())
    assert max_numpy_diff < 1e-4, max_numpy_diff

    with torch.no_grad():
        generated = model.generate(
            torch.tensor([[BOS]]), max_new_tokens=GREEDY_TOKENS, do_sample=False,
            pad_token_id=0, eos_token_id=EOS,
        )[0].tolist()
    greedy_text = llama2c_decode(generated, pieces)
    assert greedy_text.startswith(KNOWN_STORY_START), greedy_text
    # The same continuation from the NumPy port (argmax of every step).
    numpy_greedy = [BOS]
    for _ in range(GREEDY_TOKENS):
        numpy_greedy.append(int(np.argmax(llama2c_forward_all(cfg, w, numpy_greedy)[-1])))
    assert numpy_greedy == generated, (numpy_greedy, generated)

    cases = [{"text": t, "ids": llama2c_encode(t, pieces, scores)} for t in TOKENIZER_CASES]
    converted_checks = cross_check_converted(args.converted_dir, cases, ids, logits)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_file(
        {
            "input_ids": np.array(ids, dtype=np.int64),
            "hidden_states": np.ascontiguousarray(hidden, dtype=np.float32),
            "last_block_output": np.ascontiguousarray(last_block, dtype=np.float32),
            "logits": np.ascontiguousarray(logits, dtype=np.float32),
        },
        str(args.out_dir / "reference.safetensors"),
        # One metadata key: safetensors writes a map, and several keys come out in random order.
        metadata={"source": "tools/stories260k_reference.py (prompt in reference.json)"},
    )
    reference = {
        "prompt": {"text": PROMPT, "ids": ids},
        "greedy_from_bos": {
            "max_new_tokens": GREEDY_TOKENS,
            "ids": generated,
            "text": greedy_text,
            "known_story_start": KNOWN_STORY_START,
        },
        "tokenizer_cases": cases,
        "inputs_sha256": {
            "stories260K.bin": sha256(checkpoint_path),
            "tok512.bin": sha256(tokenizer_path),
        },
        "checks": {"max_abs_diff_logits_hf_vs_numpy_llama2c": max_numpy_diff},
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "numpy": np.__version__,
            "safetensors": safetensors.__version__,
        },
        "generated_by": "tools/stories260k_reference.py",
    }
    (args.out_dir / "reference.json").write_text(json.dumps(reference, indent=2, ensure_ascii=False) + "\n")
    print(f"prompt ids ({len(ids)}): {ids}")
    print(f"greedy from BOS: {greedy_text!r}")
    print(f"max |HF - NumPy llama2.c| logits: {max_numpy_diff:.2e}")
    print(f"checks of the TypeScript conversion in {args.converted_dir}: {converted_checks or 'skipped'}")
    print(f"wrote {args.out_dir}/reference.safetensors and reference.json")


if __name__ == "__main__":
    main()
