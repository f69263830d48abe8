#!/usr/bin/env python3
"""numpy side of bench/analysis.bench.ts: the per-layer linearity fit on the same hidden states.

    python3 tools/bench_linalg.py --states FILE --layers 12 --tokens 4096 --hidden 768 [--lstsq]

FILE holds float32 little-endian [layers + 1, tokens, hidden] (the TypeScript benchmark writes it
and calls this script). For every pair (l, l+1) it computes the paper's score with and without the
residual stream, in float64, two ways:

- `normal`: the algorithm src/analysis uses (centre, X^T X and X^T Y by BLAS, Cholesky, one
  triangular solve; the score without the residual stream from the same solve), each state's Gram
  matrix formed once and reused by the next pair;
- `lstsq` (with --lstsq): numpy.linalg.lstsq (SVD) per fit, the way a straightforward numpy port
  of the paper's pseudo-inverse code would do it.

Prints one JSON line: wall-clock and CPU seconds (best of --repeats) for each, the BLAS thread
count, the scores (for agreement), and the GFLOP/s of one cross-Gram product (BLAS dgemm alone). CPU seconds count all BLAS threads together; on a busy
machine they are steadier than wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from scipy.linalg import cho_factor, solve_triangular


def normal_equations(states: np.ndarray) -> tuple[list[float], list[float]]:
    big = states.shape[0] - 1
    with_res, without = [], []
    x = states[0].astype(np.float64)
    x -= x.mean(0)
    gxx = x.T @ x
    for l in range(big):
        y = states[l + 1].astype(np.float64)
        y -= y.mean(0)
        gyy = y.T @ y
        cross = x.T @ y
        c, lower = cho_factor(gxx, lower=True, check_finite=False)
        z = solve_triangular(c, cross, lower=True, check_finite=False)
        syy = float(np.trace(gyy))
        sxx = float(np.trace(gxx))
        with_res.append(float(np.sum(z * z)) / syy)
        # L^{-1} (X^T Y - X^T X) = Z - L^T: no second solve (as src/analysis/linearity.ts does).
        zu = z - np.tril(c).T
        without.append(float(np.sum(zu * zu)) / (syy - 2 * float(np.trace(cross)) + sxx))
        x, gxx = y, gyy
    return with_res, without


def by_lstsq(states: np.ndarray) -> tuple[list[float], list[float]]:
    def score(x: np.ndarray, y: np.ndarray) -> float:
        xc = x - x.mean(0)
        yc = y - y.mean(0)
        xn = xc / np.linalg.norm(xc)
        yn = yc / np.linalg.norm(yc)
        a, *_ = np.linalg.lstsq(xn, yn, rcond=None)
        return 1.0 - float(np.sum((xn @ a - yn) ** 2))

    with_res, without = [], []
    for l in range(states.shape[0] - 1):
        x = states[l].astype(np.float64)
        y = states[l + 1].astype(np.float64)
        with_res.append(score(x, y))
        without.append(score(x, y - x))
    return with_res, without


def blas_threads() -> int | None:
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-not-found]

        return sum(p.get("num_threads", 0) for p in threadpool_info() if p.get("user_api") == "blas")
    except ImportError:
        env = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
        return int(env) if env else None


def cross_gram_gflops(states: np.ndarray) -> float:
    """Throughput of one centred cross-Gram X^T Y (BLAS dgemm), best of 5: the kernel-level figure."""
    x = states[0].astype(np.float64)
    y = states[1].astype(np.float64)
    x -= x.mean(0)
    y -= y.mean(0)
    x.T @ y
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        x.T @ y
        best = min(best, time.perf_counter() - t)
    n, d = x.shape
    return 2 * n * d * d / best / 1e9


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--states", required=True)
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--tokens", type=int, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--lstsq", action="store_true")
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    states = np.fromfile(a.states, dtype="<f4").reshape(a.layers + 1, a.tokens, a.hidden)
    out: dict = {"blasThreads": blas_threads(), "cpus": os.cpu_count()}
    best, best_cpu = float("inf"), float("inf")
    for _ in range(a.repeats):
        t, c = time.perf_counter(), time.process_time()
        res = normal_equations(states)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    out["normal"] = {"seconds": best, "cpuSeconds": best_cpu, "linearity": res[0], "linearityNoResidual": res[1]}
    if a.lstsq:
        t, c = time.perf_counter(), time.process_time()
        res = by_lstsq(states)
        out["lstsq"] = {
            "seconds": time.perf_counter() - t,
            "cpuSeconds": time.process_time() - c,
            "linearity": res[0],
            "linearityNoResidual": res[1],
        }
    out["crossGramGflops"] = cross_gram_gflops(states)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
