#!/usr/bin/env python3
"""Merge run.sh's webgpu.json and wasm.json into one results.json and print the summary table
(median ms per pass, and each variant's median of paired ratios over the plain pass).
  python summarize.py OUT_JSON WEBGPU_JSON WASM_JSON
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as e:  # noqa: BLE001
        return {"missing": f"{path}: {e!r}"}


def main():
    out, webgpu, wasm = sys.argv[1:4]
    res = {"webgpu": load(webgpu), "wasm": load(wasm)}
    rows = []
    for ep in ("webgpu", "wasm"):
        r = res[ep]
        label = f"{ep} ({r.get('threads')} threads)" if ep == "wasm" else ep
        for T, t in (r.get("T") or {}).items():
            for v, s in t.get("ms", {}).items():
                ratio = t.get("overPlain", {}).get(v)
                rows.append((f"{label} T={T} {v}", s["median"], ratio))
            c = t.get("check", {})
            if c:
                worst = c.get("webgpuVsThisWorst")
                print(f"check {label} T={T}: product vs full download max-abs "
                      f"{c['productVsFullDownload']['maxAbs']:.3e}"
                      + (f"; WebGPU vs this max-abs {worst['maxAbs']:.3e}, relative {worst['relative']:.3e}" if worst else ""))
        for e in r.get("errors", []):
            print(f"ERROR {ep}: {e.splitlines()[0]}")
        if "missing" in r:
            print(f"missing {ep}: {r['missing']}")
    res["summary"] = [{"pass": k, "medianMs": v, "overPlain": q} for k, v, q in rows]
    res["adapter"] = res["webgpu"].get("adapter")
    with open(out, "w") as f:
        json.dump(res, f, indent=2)
    print("=== summary: median ms per pass, median of paired ratios / plain")
    for k, v, q in rows:
        print(f"{k:45s} {v:10.1f}  {'' if q is None else f'{q:.3f}'}")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
