#!/usr/bin/env python3
"""Fixtures and reference values for opening files in the page (src/share/fileImport.ts), numpy only.

    .venv/bin/python tools/import_fixtures.py tests/fixtures/imports

From the hidden states of fixtures/tiny-random-gpt2 in tests/fixtures/stats (946 tokens, L = 2, d = 64)
it writes:

- states.npy            [3, 200, 64] float32, C order: the first 200 tokens
- tokens.json / .txt    their 200 token strings (decoded with the model's tokenizer.json)
- states.safetensors    the same states as F64 `hidden_states`, `input_ids` I64 and the token strings
                        as a JSON list in the metadata entry `tokens` (the general convention)
- expected-states.json  every number the page shows for them, computed here in float64 with lstsq:
                        per-layer scores with and without residual, n, d, chance floor, the split
                        held-out scores (last 25% held out), and the per-token values of maps fitted on
                        the same 200 tokens (in sample, relative to the mean leave-one-out error)
- shard-a/b.safetensors linscope.stats/v1 files of tokens 0..499 and 500..945 (the same model)
- other-model.safetensors a stats file that claims another model (to be refused together with them)
- expected-stats.json   the per-layer scores of all 946 tokens, which the two shards merge into

The definitions are docs/analysis.md's, computed another way than the TypeScript code (lstsq on the
states rather than Cholesky on moments), as tools/analysis_reference.py does for src/analysis.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STATES = ROOT / "tests/fixtures/stats/tiny-random-gpt2.states.safetensors"
TOKENIZER = ROOT / "public/models/fixtures/tiny-random-gpt2/tokenizer.json"
TOKENS = 200
SPLIT = 500
HELD_OUT_FRACTION = 0.25
QUANTILE = 0.99

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a : 8 + n + b], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
    return out, meta


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    names = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    header: dict = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def gpt2_token_strings(ids: np.ndarray) -> list[str]:
    """Byte-level BPE pieces back to text (GPT-2's bytes_to_unicode, inverted)."""
    vocab = json.loads(TOKENIZER.read_text())["model"]["vocab"]
    by_id = {v: k for k, v in vocab.items()}
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = printable[:], 0
    byte_of = {}
    for b in range(256):
        if b in printable:
            byte_of[chr(b)] = b
        else:
            byte_of[chr(256 + extra)] = b
            extra += 1
    return [bytes(byte_of[c] for c in by_id[int(i)]).decode("utf-8", errors="replace") for i in ids]


def linearity(x: np.ndarray, y: np.ndarray) -> dict:
    n, d = x.shape
    if n <= d:
        return {"linearity": None, "linearityNoResidual": None, "n": n, "d": d, "chanceFloor": None}
    xc, yc = x - x.mean(0), y - y.mean(0)
    uc = yc - xc
    xn = xc / np.linalg.norm(xc)
    out = {"n": n, "d": d}
    for key, target in (("linearity", yc), ("linearityNoResidual", uc)):
        tn = target / np.linalg.norm(target)
        a, *_ = np.linalg.lstsq(xn, tn, rcond=None)
        out[key] = 1.0 - float(np.sum((xn @ a - tn) ** 2))
    out["chanceFloor"] = int(np.linalg.matrix_rank(xc)) / (n - 1)
    return out


def fit_map(x: np.ndarray, y: np.ndarray) -> dict:
    mx, my = x.mean(0), y.mean(0)
    w, *_ = np.linalg.lstsq(x - mx, y - my, rcond=None)
    return {"meanX": mx, "meanY": my, "W": w, "normY": np.linalg.norm(y - my)}


def errors(m: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sum(((x - m["meanX"]) @ m["W"] + m["meanY"] - y) ** 2, axis=1)


def held_out(x: np.ndarray, y: np.ndarray) -> dict:
    n = len(x)
    held = max(1, int(np.floor(n * HELD_OUT_FRACTION + 0.5)))
    cut = n - held
    m = fit_map(x[:cut], y[:cut])
    xe, ye = x[cut:], y[cut:]
    sse = float(errors(m, xe, ye).sum())
    u = ye - xe
    return {
        "linearity": 1 - sse / float(np.sum((ye - ye.mean(0)) ** 2)),
        "linearityNoResidual": 1 - sse / float(np.sum((u - u.mean(0)) ** 2)),
        "n": held,
        "nFit": cut,
    }


def per_token_in_sample(x: np.ndarray, y: np.ndarray) -> dict:
    """Each token's error under the map fitted on all of them, relative to their mean leave-one-out error."""
    m = fit_map(x, y)
    e = errors(m, x, y) / m["normY"] ** 2
    xc = x - m["meanX"]
    h = 1.0 / len(x) + np.einsum("ij,ji->i", xc, np.linalg.pinv(xc))
    loo = e / (1 - h) ** 2
    # The closed form equals an explicit refit without the token.
    for i in (0, len(x) // 2, len(x) - 1):
        keep = np.arange(len(x)) != i
        direct = errors(fit_map(x[keep], y[keep]), x[i : i + 1], y[i : i + 1])[0] / m["normY"] ** 2
        assert abs(direct - loo[i]) <= 1e-8 * max(1.0, abs(direct)), (i, direct, loo[i])
    mean = float(loo.mean())
    threshold = float(np.quantile(loo, QUANTILE))
    return {
        "relative": (e / mean).tolist(),
        "flash": [int(v > threshold) for v in e],
        "relativeThreshold": threshold / mean,
    }


def stats_file(path: Path, h: np.ndarray, model_id: str, documents: int) -> None:
    h = h.astype(np.float64)
    tensors: dict[str, np.ndarray] = {"count": np.array([h.shape[1]], np.int64)}
    centred = [s - s.mean(0) for s in h]
    for s, c in enumerate(centred):
        tensors[f"mean.{s}"] = h[s].mean(0)
        tensors[f"gram.{s}"] = c.T @ c
    for l in range(h.shape[0] - 1):
        tensors[f"cross.{l}"] = centred[l + 1].T @ centred[l]
    origin = {
        "schema": "linscope.stats/v1",
        "model": {"id": model_id, "type": "gpt2", "layers": h.shape[0] - 1, "hidden": h.shape[2], "vocab": 512,
                  "dtype": "fp32", "graph": "residual-add"},
        "settings": {"excludeBos": False, "windowLength": 128},
        "documents": documents,
        "generator": "tools/import_fixtures.py",
    }
    write_safetensors(path, tensors, {"linscope": json.dumps(origin)})


def layer_scores(h: np.ndarray) -> list[dict]:
    h = h.astype(np.float64)
    return [{"pair": [l, l + 1], **linearity(h[l], h[l + 1])} for l in range(h.shape[0] - 1)]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tensors, _ = read_safetensors(STATES)
    states = tensors["hidden_states"]
    ids = tensors["input_ids"]
    few = np.ascontiguousarray(states[:, :TOKENS, :])
    strings = gpt2_token_strings(ids[:TOKENS])
    np.save(out / "states.npy", few.astype("<f4"))
    (out / "tokens.json").write_text(json.dumps(strings, ensure_ascii=False) + "\n")
    assert not any("\n" in s for s in strings), "a token holds a newline: tokens.txt cannot carry it"
    (out / "tokens.txt").write_text("".join(f"{s}\n" for s in strings))
    write_safetensors(
        out / "states.safetensors",
        {"hidden_states": few.astype(np.float64), "input_ids": ids[:TOKENS].astype(np.int64)},
        {"tokens": json.dumps(strings, ensure_ascii=False), "model": "fixtures/tiny-random-gpt2"},
    )
    x = few.astype(np.float64)
    layers = []
    for record in layer_scores(few):
        l = record["pair"][0]
        layers.append({**record, "heldOut": held_out(x[l], x[l + 1])})
    per_token = [per_token_in_sample(x[l], x[l + 1]) for l in range(x.shape[0] - 1)]
    expected = {
        "source": "tools/import_fixtures.py (numpy float64, lstsq)",
        "tokens": TOKENS,
        "ids": ids[:TOKENS].tolist(),
        "layers": layers,
        "perToken": {
            "nonlinearity": [p["relative"] for p in per_token],
            "flash": [p["flash"] for p in per_token],
            "flashThreshold": [p["relativeThreshold"] for p in per_token],
        },
    }
    (out / "expected-states.json").write_text(json.dumps(expected, indent=1) + "\n")

    stats_file(out / "shard-a.safetensors", states[:, :SPLIT], "fixtures/tiny-random-gpt2", 3)
    stats_file(out / "shard-b.safetensors", states[:, SPLIT:], "fixtures/tiny-random-gpt2", 3)
    stats_file(out / "other-model.safetensors", states[:, SPLIT:], "fixtures/tiny-random-llama", 3)
    (out / "expected-stats.json").write_text(
        json.dumps({"source": "tools/import_fixtures.py", "tokens": int(states.shape[1]), "layers": layer_scores(states)}, indent=1)
        + "\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "tests/fixtures/imports"))
