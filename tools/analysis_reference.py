#!/usr/bin/env python3
"""Reference values for src/analysis, computed independently with numpy/scipy in float64.

Regenerate the committed fixtures (seeded, deterministic; needs only numpy and scipy):

    python3 tools/analysis_reference.py --write-fixtures tests/fixtures/analysis

Each case becomes two files: `<case>.bin` (the inputs as raw little-endian arrays, one after the
other) and `<case>.json` (where each array sits in the .bin: dtype, shape, byte offset; plus every
metric in float64). The TypeScript tests read both without Python.

Real hidden states (a safetensors file with `hidden_states` float32 [L+1, T, d], optionally
`input_ids`, as written by `linscope analyze --dump-hidden`) go through the same metric code:

    python3 tools/analysis_reference.py --input public/models/fixtures/<model>/reference.safetensors \
        --out /tmp/reference-metrics.json [--reference other.safetensors]

The metric definitions follow docs/analysis.md. They are deliberately computed another way than
the TypeScript code where possible (least squares by SVD via `lstsq`, anisotropy by a full SVD,
leave-one-out errors checked against explicit refits) so that agreement means something.

One file (~470 lines) on purpose: it is the whole independent oracle of src/analysis, read side by
side with docs/analysis.md; split, a reviewer would have to collect the definitions again.
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import logsumexp

# ----------------------------------------------------------------------------------------------
# Metrics (float64 throughout)
# ----------------------------------------------------------------------------------------------


def linearity(x: np.ndarray, y: np.ndarray) -> dict:
    """The paper's score: centre, Frobenius-normalise, unconstrained least squares, 1 - residual."""
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    n, d = x.shape
    if n <= d:
        return {"score": None, "n": n, "d": d, "rank": None, "chanceFloor": None}
    xc = x - x.mean(0)
    yc = y - y.mean(0)
    xn = xc / np.linalg.norm(xc)
    yn = yc / np.linalg.norm(yc)
    a, *_ = np.linalg.lstsq(xn, yn, rcond=None)
    score = 1.0 - float(np.sum((xn @ a - yn) ** 2))
    rank = int(np.linalg.matrix_rank(xc))
    return {"score": score, "n": n, "d": d, "rank": rank, "chanceFloor": rank / (n - 1)}


def fit_map(x: np.ndarray, y: np.ndarray) -> dict:
    """Affine least-squares map y ~ meanY + (x - meanX) W, fitted by lstsq on centred data."""
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    w, *_ = np.linalg.lstsq(xc, yc, rcond=None)
    return {"meanX": mx, "meanY": my, "W": w, "normX": np.linalg.norm(xc), "normY": np.linalg.norm(yc), "n": len(x)}


def residuals(m: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pred = (x.astype(np.float64) - m["meanX"]) @ m["W"] + m["meanY"]
    return np.sum((pred - y.astype(np.float64)) ** 2, axis=1)


def held_out(m: dict, x: np.ndarray, y: np.ndarray) -> dict:
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    sse = float(residuals(m, x, y).sum())
    sst = float(np.sum((y - y.mean(0)) ** 2))
    u = y - x
    sst_u = float(np.sum((u - u.mean(0)) ** 2))
    return {"linearity": 1 - sse / sst, "linearityNoResidual": 1 - sse / sst_u, "n": len(x), "nFit": m["n"]}


def loo_errors(x: np.ndarray, y: np.ndarray, m: dict) -> np.ndarray:
    """Leave-one-out errors in the full fit's normalised units: e_i / (1 - h_ii), h from the hat matrix."""
    xc = x.astype(np.float64) - m["meanX"]
    n = len(x)
    hat = xc @ np.linalg.pinv(xc)
    h = 1.0 / n + np.diag(hat)
    e = residuals(m, x, y)
    return e / m["normY"] ** 2 / (1 - h) ** 2


def check_loo_by_refit(x: np.ndarray, y: np.ndarray, m: dict, loo: np.ndarray, which: list[int]) -> None:
    """The closed form must equal an explicit refit without the token (sanity check of the formula)."""
    for i in which:
        keep = np.arange(len(x)) != i
        mi = fit_map(x[keep], y[keep])
        direct = residuals(mi, x[i : i + 1], y[i : i + 1])[0] / m["normY"] ** 2
        assert abs(direct - loo[i]) <= 1e-8 * max(1.0, abs(direct)), (i, direct, loo[i])


def reference_fit(ref: np.ndarray, q: float = 0.99) -> list[dict]:
    out = []
    for l in range(ref.shape[0] - 1):
        x, y = ref[l], ref[l + 1]
        m = fit_map(x, y)
        loo = loo_errors(x, y, m)
        check_loo_by_refit(x, y, m, loo, [0, 1, len(x) // 2, len(x) - 1])
        m["meanError"] = float(loo.mean())
        m["threshold"] = float(np.quantile(loo, q))
        m["loo"] = loo
        out.append(m)
    return out


def per_token(fit: list[dict], states: np.ndarray) -> dict:
    raw, rel, flash = [], [], []
    for l, m in enumerate(fit):
        e = residuals(m, states[l], states[l + 1]) / m["normY"] ** 2
        raw.append(e.tolist())
        rel.append((e / m["meanError"]).tolist())
        flash.append([int(v > m["threshold"]) for v in e])
    return {"raw": raw, "relative": rel, "flash": flash}


def anisotropy(x: np.ndarray) -> float:
    xc = x.astype(np.float64) - x.astype(np.float64).mean(0)
    s = np.linalg.svd(xc, compute_uv=False)
    return float(s[0] ** 2 / np.sum(s**2))


def two_nn(x: np.ndarray, max_tokens: int = 4096, fraction: float = 0.2) -> float | None:
    x = x[:max_tokens].astype(np.float64)
    _, first = np.unique(x, axis=0, return_index=True)
    x = x[np.sort(first)]
    n = len(x)
    if n < 3:
        return None
    dist = cdist(x, x)
    np.fill_diagonal(dist, np.inf)
    two = np.sort(dist, axis=1)[:, :2]
    mu = np.sort(two[:, 1] / two[:, 0])
    m = min(int(math.floor(fraction * n)), n - 1)
    lx = np.log(mu[:m])
    ly = -np.log(1 - np.arange(1, m + 1) / n)
    return float(np.sum(lx * ly) / np.sum(lx * lx)) if m > 0 else None


def cosine(x: np.ndarray, y: np.ndarray) -> float:
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    return float(np.mean(np.sum(x * y, 1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))))


def update_ratio(x: np.ndarray, y: np.ndarray) -> float:
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    return float(np.mean(np.linalg.norm(y - x, axis=1) / np.linalg.norm(x, axis=1)))


def massive_tokens(states: np.ndarray, factor: float = 10.0) -> list[int]:
    big = states.shape[0] - 1
    layers = range(1, big) if big > 1 else range(0, big + 1)
    found = set()
    for s in layers:
        norms = np.linalg.norm(states[s].astype(np.float64), axis=1)
        found |= set(np.nonzero(norms > factor * np.median(norms))[0].tolist())
    return sorted(found)


def apply_norm(h: np.ndarray, norm: dict) -> np.ndarray:
    h = h.astype(np.float64)
    if norm["kind"] == "layernorm":
        mu = h.mean(-1, keepdims=True)
        var = ((h - mu) ** 2).mean(-1, keepdims=True)
        out = (h - mu) / np.sqrt(var + norm["eps"]) * norm["weight"].astype(np.float64)
        return out + (norm["bias"].astype(np.float64) if norm.get("bias") is not None else 0.0)
    ms = (h**2).mean(-1, keepdims=True)
    return h / np.sqrt(ms + norm["eps"]) * (norm["weight"].astype(np.float64) + norm.get("weightOffset", 0.0))


def logit_lens(states: np.ndarray, norm: dict, w: np.ndarray, b: np.ndarray | None, ids: np.ndarray) -> dict:
    top_id, top_prob, loss = [], [], []
    big = states.shape[0] - 1
    for s in range(states.shape[0]):
        z = apply_norm(states[s], norm) if s < big else states[s].astype(np.float64)
        logits = z @ w.astype(np.float64).T
        if b is not None:
            logits = logits + b.astype(np.float64)
        lse = logsumexp(logits, axis=1)
        top = np.argmax(logits, axis=1)
        top_id.append(top.tolist())
        top_prob.append(np.exp(logits[np.arange(len(top)), top] - lse).tolist())
        nl = [float(lse[t] - logits[t, ids[t + 1]]) for t in range(len(ids) - 1)] + [None]
        loss.append(nl)
    return {"topId": top_id, "topProb": top_prob, "nextTokenLoss": loss}


def split_tail(n: int, fraction: float) -> int:
    """Index where the held-out tail starts (JS Math.round semantics: halves round up)."""
    held = max(1, int(math.floor(n * fraction + 0.5)))
    return max(0, n - held)


def analyze(states: np.ndarray, tokens: list[int] | None = None, held_fraction: float = 0.25) -> dict:
    """Per-pair and per-state metrics on the selected tokens (all when None)."""
    sel = states if tokens is None else states[:, tokens]
    big, n, d = sel.shape[0] - 1, sel.shape[1], sel.shape[2]
    cut = split_tail(n, held_fraction)
    layers = []
    for l in range(big):
        x, y = sel[l], sel[l + 1]
        lin = linearity(x, y)
        lin_u = linearity(x, y.astype(np.float64) - x.astype(np.float64))
        if cut > d:
            ho = held_out(fit_map(x[:cut], y[:cut]), x[cut:], y[cut:])
        else:
            ho = None
        layers.append(
            {
                "pair": [l, l + 1],
                "linearity": lin["score"],
                "linearityNoResidual": lin_u["score"],
                "n": n,
                "d": d,
                "rank": lin["rank"],
                "chanceFloor": lin["chanceFloor"],
                "heldOutSplit": ho,
                "cosine": cosine(x, y),
                "updateRatio": update_ratio(x, y),
            }
        )
    st = [{"index": s, "anisotropy": anisotropy(sel[s]), "intrinsicDimension": two_nn(sel[s])} for s in range(big + 1)]
    return {"layers": layers, "states": st}


# ----------------------------------------------------------------------------------------------
# Synthetic hidden states with a residual stream, massive-norm tokens and a final LayerNorm
# ----------------------------------------------------------------------------------------------


def gelu(v: np.ndarray) -> np.ndarray:
    return 0.5 * v * (1 + np.tanh(0.7978845608 * (v + 0.044715 * v**3)))


def layer_norm(h: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu = h.mean(-1, keepdims=True)
    return (h - mu) / np.sqrt(((h - mu) ** 2).mean(-1, keepdims=True) + eps)


class ToyModel:
    """A random 'transformer' whose states behave like real ones where it matters here:
    h[l+1] = h[l] + small non-linear update (an MLP on a normed stream plus causal mixing), a BOS
    token that turns into a massive-norm sink after block 0, token id 7 (placed at position 5 of each
    chunk) that does at block 1,
    and a final LayerNorm before the last state."""

    def __init__(self, seed: int, blocks: int, d: int, vocab: int, max_len: int, norm: str = "layernorm"):
        r = np.random.default_rng(seed)
        self.d, self.blocks, self.vocab = d, blocks, vocab
        self.embed = r.normal(size=(vocab, d))
        self.pos = 0.5 * r.normal(size=(max_len, d))
        self.w1 = [r.normal(size=(d, 2 * d)) / math.sqrt(d) for _ in range(blocks)]
        self.w2 = [r.normal(size=(2 * d, d)) / math.sqrt(2 * d) for _ in range(blocks)]
        self.wm = [r.normal(size=(d, d)) / math.sqrt(d) for _ in range(blocks)]
        self.sink = r.normal(size=d)
        self.sink *= 40 * math.sqrt(d) / np.linalg.norm(self.sink)
        self.norm_kind = norm
        self.norm_weight = (1 + 0.1 * r.normal(size=d)).astype(np.float32)
        self.norm_bias = (0.05 * r.normal(size=d)).astype(np.float32) if norm == "layernorm" else None
        self.unembed = (r.normal(size=(vocab, d)) / math.sqrt(d)).astype(np.float32)
        self.unembed_bias = None if norm == "layernorm" else (0.1 * r.normal(size=vocab)).astype(np.float32)
        self.eps = 1e-5

    def final_norm(self) -> dict:
        return {"kind": self.norm_kind, "weight": self.norm_weight, "bias": self.norm_bias, "eps": self.eps}

    def run(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One chunk: returns float32 states [blocks+1, T, d] and the pre-norm last block output."""
        t = len(ids)
        h = self.embed[ids] + self.pos[:t]
        out = [h]
        for l in range(self.blocks):
            mix = np.cumsum(h, axis=0) / np.arange(1, t + 1)[:, None]
            u = 0.35 * gelu(layer_norm(h) @ self.w1[l]) @ self.w2[l] + 0.15 * layer_norm(mix) @ self.wm[l]
            h = h + u
            if l == 0:
                h[ids == 0] += self.sink
            if l == 1:
                h[ids == 7] += 0.8 * self.sink[::-1]
            out.append(h)
        pre = out[-1]
        if self.norm_kind == "layernorm":
            out[-1] = layer_norm(pre, self.eps) * self.norm_weight + self.norm_bias
        else:
            out[-1] = pre / np.sqrt((pre**2).mean(-1, keepdims=True) + self.eps) * self.norm_weight
        return np.stack(out).astype(np.float32), pre.astype(np.float32)

    def sample(self, r: np.random.Generator, chunks: int, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`chunks` sequences of `length` tokens, each starting with BOS (id 0), run separately and
        pooled along the token axis (as the paper pools its Wikipedia chunks)."""
        all_ids, all_states, all_pre = [], [], []
        for _ in range(chunks):
            ids = np.concatenate([[0], r.integers(1, self.vocab, size=length - 1)])
            ids[min(5, length - 1)] = 7  # every chunk has one of the massive-norm tokens after BOS
            s, pre = self.run(ids)
            all_ids.append(ids)
            all_states.append(s)
            all_pre.append(pre)
        return np.concatenate(all_ids), np.concatenate(all_states, axis=1), np.concatenate(all_pre)


# ----------------------------------------------------------------------------------------------
# Fixture files
# ----------------------------------------------------------------------------------------------


def write_case(out_dir: Path, name: str, arrays: dict[str, np.ndarray], metrics: dict, meta: dict) -> None:
    blob = bytearray()
    index = {}
    for key, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32"}[arr.dtype]
        index[key] = {"dtype": dtype, "shape": list(arr.shape), "offset": len(blob)}
        blob += arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        blob += b"\0" * (-len(blob) % 8)
    (out_dir / f"{name}.bin").write_bytes(bytes(blob))
    doc = {"generator": "tools/analysis_reference.py", "case": name, **meta, "arrays": index, "metrics": metrics}
    (out_dir / f"{name}.json").write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")


def lens_case(model: ToyModel, states: np.ndarray, ids: np.ndarray) -> dict:
    return logit_lens(states, model.final_norm(), model.unembed, model.unembed_bias, ids)


def case_small(out_dir: Path) -> None:
    """L = 3, d = 24: a 160-token prompt (n > d) and a 4 x 100-token reference."""
    model = ToyModel(seed=1, blocks=3, d=24, vocab=64, max_len=200)
    r = np.random.default_rng(11)
    ids, states, pre = model.sample(r, chunks=1, length=160)
    ref_ids, ref, _ = model.sample(r, chunks=4, length=100)
    fit = reference_fit(ref)
    massive = massive_tokens(states)
    keep = [t for t in range(states.shape[1]) if t not in massive]
    metrics = {
        "all": analyze(states),
        "excludeMassive": {"massiveTokens": massive, **analyze(states, keep)},
        "excludeBos": analyze(states, list(range(1, states.shape[1]))),
        "reference": [{k: m[k] for k in ("meanError", "threshold")} for m in fit],
        "heldOutReference": [held_out(m, states[l], states[l + 1]) for l, m in enumerate(fit)],
        "perToken": per_token(fit, states),
        "logitLens": lens_case(model, states, ids),
    }
    arrays = {
        "hidden_states": states,
        "last_block_output": pre,
        "input_ids": ids.astype(np.int32),
        "reference_states": ref,
        "norm_weight": model.norm_weight,
        "norm_bias": model.norm_bias,
        "unembedding": model.unembed,
    }
    meta = {"norm": {"kind": "layernorm", "eps": model.eps}, "vocab": model.vocab, "quantile": 0.99, "heldOutFraction": 0.25}
    write_case(out_dir, "small", arrays, metrics, meta)


def case_short(out_dir: Path) -> None:
    """L = 2, d = 32, a 20-token prompt (n <= d: in-sample score null) and a 3 x 60-token reference."""
    model = ToyModel(seed=2, blocks=2, d=32, vocab=48, max_len=80, norm="rmsnorm")
    r = np.random.default_rng(22)
    ids, states, pre = model.sample(r, chunks=1, length=20)
    _, ref, _ = model.sample(r, chunks=3, length=60)
    fit = reference_fit(ref)
    metrics = {
        "all": analyze(states),
        "reference": [{k: m[k] for k in ("meanError", "threshold")} for m in fit],
        "heldOutReference": [held_out(m, states[l], states[l + 1]) for l, m in enumerate(fit)],
        "perToken": per_token(fit, states),
        "logitLens": lens_case(model, states, ids),
    }
    arrays = {
        "hidden_states": states,
        "last_block_output": pre,
        "input_ids": ids.astype(np.int32),
        "reference_states": ref,
        "norm_weight": model.norm_weight,
        "unembedding": model.unembed,
        "unembedding_bias": model.unembed_bias,
    }
    meta = {"norm": {"kind": "rmsnorm", "eps": model.eps}, "vocab": model.vocab, "quantile": 0.99, "heldOutFraction": 0.25}
    write_case(out_dir, "short", arrays, metrics, meta)


def case_degenerate(out_dir: Path) -> None:
    """d = 16, 90 tokens of which 30 are exact duplicates, one constant feature and one feature that is
    twice another: X is rank-deficient, so plain Cholesky would fail; lstsq gives the reference."""
    r = np.random.default_rng(3)
    d, n_unique = 16, 60
    x = r.normal(size=(n_unique, d))
    x = np.concatenate([x, x[:30]])
    x[:, 4] = 1.5
    x[:, 9] = 2 * x[:, 2]
    w = r.normal(size=(d, d)) / 4
    h1 = x + 0.3 * np.tanh(x @ w)
    h2 = h1 + 0.3 * np.tanh(h1 @ w.T)
    states = np.stack([x, h1, h2]).astype(np.float32)
    # Recompute the exact duplicates after float32 rounding so they stay bit-identical.
    states[:, n_unique:] = states[:, :30]
    metrics = {"all": analyze(states)}
    write_case(out_dir, "degenerate", {"hidden_states": states}, metrics, {"heldOutFraction": 0.25})


# ----------------------------------------------------------------------------------------------
# Real states from a safetensors file
# ----------------------------------------------------------------------------------------------


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "F64": "<f8"}
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[key] = np.frombuffer(raw[base + start : base + end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def from_file(path: Path, reference: Path | None, out: Path | None) -> None:
    tensors = read_safetensors(path)
    states = tensors["hidden_states"].astype(np.float32)
    result: dict = {"input": str(path), "all": analyze(states), "massiveTokens": massive_tokens(states)}
    if reference is not None:
        ref = read_safetensors(reference)["hidden_states"].astype(np.float32)
        fit = reference_fit(ref)
        result["reference"] = [{k: m[k] for k in ("meanError", "threshold")} for m in fit]
        result["heldOutReference"] = [held_out(m, states[l], states[l + 1]) for l, m in enumerate(fit)]
        result["perToken"] = per_token(fit, states)
    text = json.dumps(result, indent=1, allow_nan=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--write-fixtures", type=Path, help="directory for the synthetic fixture cases")
    p.add_argument("--input", type=Path, help="safetensors file with hidden_states [L+1, T, d]")
    p.add_argument("--reference", type=Path, help="safetensors file whose states the per-token maps are fitted on")
    p.add_argument("--out", type=Path, help="where to write the metrics JSON for --input (stdout by default)")
    a = p.parse_args()
    if a.write_fixtures is not None:
        a.write_fixtures.mkdir(parents=True, exist_ok=True)
        case_small(a.write_fixtures)
        case_short(a.write_fixtures)
        case_degenerate(a.write_fixtures)
    elif a.input is not None:
        from_file(a.input, a.reference, a.out)
    else:
        p.error("give --write-fixtures DIR or --input FILE")


if __name__ == "__main__":
    main()
