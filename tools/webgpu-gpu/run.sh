#!/bin/bash
# LinScope's analysis forward on a real GPU (WebGPU through Dawn) and WASM, same machine, one run:
#   OUT=<dir> bash tools/webgpu-gpu/run.sh [bundle dir, default .device-bundle]
# from a checkout holding the bundle (make_bundle.sh). Needs python3 with torch, transformers, onnx;
# no Node, no network, nothing under public/models. Writes $OUT/log.txt, $OUT/webgpu.json,
# $OUT/wasm.json, $OUT/results.json (merged, with the summary), $OUT/gen.log.
# Environment (the local dry run on a software Vulkan driver sets the last three):
#   PY            python with torch/transformers/onnx (default python3)
#   TOKENS        window lengths (default 128,1024)
#   WASM_THREADS  WASM threads (default: nproc)
#   GEN_ARGS      gen_model.py shape arguments (default: GPT-2 small, 12 x 768, vocab 50257)
#   LOCAL_VK      an ICD json to use instead of the NVIDIA one (no .deb unpacking)
#   ALLOW_FALLBACK=1  go on when Dawn's adapter is a fallback (software) adapter
#   WEBGPU_TIMEOUT  seconds for the WebGPU step (default 120; SwiftShader on a loaded machine needs minutes)
set -u -o pipefail
TOOL=$(cd "$(dirname "$0")" && pwd)
PROJ=$(cd "$TOOL/../.." && pwd)
B=$(cd "${1:-$PROJ/.device-bundle}" && pwd)
W=${WORK:-/tmp/gb}
OUT=${OUT:?set OUT}
PY=${PY:-python3}
TOKENS=${TOKENS:-128,1024}
GEN_ARGS=${GEN_ARGS:-}
WASM_THREADS=${WASM_THREADS:-$(nproc)}
rm -rf "$W/bin" "$W/model" "$W/dump"
mkdir -p "$W" "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
T0=$(date +%s)
stamp() { echo "=== [$(($(date +%s) - T0))s] $*"; }
quiet() { grep --line-buffered -v -E 'VerifyEachNodeIsAssignedToAnEp|XDG_RUNTIME_DIR|Rerunning with verbose output'; }

stamp "host; bundle of commit $(cat "$B/commit.txt" 2>/dev/null), checkout $(git -C "$PROJ" rev-parse --short HEAD 2>/dev/null)"
uname -srm; nproc; free -g | head -2
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv 2>&1 | head -3
"$PY" -c "import torch, transformers, onnx; print('torch', torch.__version__, 'transformers', transformers.__version__, 'onnx', onnx.__version__)"

stamp "generate the model in the background: gen_model.py $GEN_ARGS"
"$PY" "$TOOL/gen_model.py" --out "$W/model" $GEN_ARGS > "$W/gen.log" 2>&1 &
GEN_PID=$!

stamp "unpack node, dawn.node, onnxruntime-web"
"$PY" - "$B/bin.tar.xz" "$W" <<'PYX'
import sys, tarfile
with tarfile.open(sys.argv[1], "r:xz") as t:
    t.extractall(sys.argv[2], filter="tar")
PYX
chmod +x "$W/bin/node"
NODE="$W/bin/node"
"$NODE" --version || exit 3

stamp "Vulkan/EGL loaders (Debian 12 .debs: libvulkan1 + glvnd) and the NVIDIA driver's manifests"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
NV_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
NV_EGL=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -n "${LOCAL_VK:-}" ]; then
  export VK_DRIVER_FILES=$LOCAL_VK
  # Chromium ships the Vulkan loader next to SwiftShader's ICD.
  VK_DIR=$(dirname "$LOCAL_VK")
  [ -f "$VK_DIR/libvulkan.so.1" ] && export LD_LIBRARY_PATH=$VK_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
  for f in "$B"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  [ -f $NV_ICD ] && export VK_DRIVER_FILES=$NV_ICD
  [ -f $NV_EGL ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$NV_EGL
fi
probe() { timeout 25 "$NODE" "$TOOL/probe_adapter.mjs" "$W/bin" 2>&1 | quiet; }
probe; OK=$?
if [ $OK -ne 0 ] && [ -z "${LOCAL_VK:-}" ]; then
  stamp "no Vulkan adapter: LD_LIBRARY_PATH += /usr/local/nvidia/lib64"
  export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  probe; OK=$?
  if [ $OK -ne 0 ]; then
    stamp "still none: the loader's own report"
    VK_LOADER_DEBUG=error,warn,driver timeout 25 "$NODE" "$TOOL/probe_adapter.mjs" "$W/bin" 2>&1 | quiet | head -30
  fi
fi
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
GPU=1
if [ $OK -ne 0 ] && [ "${ALLOW_FALLBACK:-0}" != 1 ]; then
  stamp "no hardware WebGPU adapter: WebGPU is skipped, WASM still runs"
  GPU=0
fi

stamp "waiting for the model"
for _ in $(seq 1 150); do kill -0 $GEN_PID 2>/dev/null || break; sleep 1; done
if kill -0 $GEN_PID 2>/dev/null; then kill $GEN_PID; stamp "STOP: model generation took over 150 s"; cat "$W/gen.log"; exit 5; fi
wait $GEN_PID; GEN_RC=$?
cp "$W/gen.log" "$OUT/gen.log"
tail -2 "$W/gen.log"
[ $GEN_RC -eq 0 ] && [ -f "$W/model/onnx/model.onnx" ] || { stamp "STOP: gen_model.py failed ($GEN_RC)"; cat "$W/gen.log"; exit 5; }

BENCH=("$NODE" "$TOOL/bench_forward.mjs" --bundle "$B" --bin "$W/bin" --model "$W/model" --tokens "$TOKENS")
if [ $GPU = 1 ]; then
  stamp "A: WebGPU, 1 WASM thread: plain / plainLogits / augmentedAll / product / productLogits (warm-up 2, 5 rounds)"
  timeout "${WEBGPU_TIMEOUT:-120}" "${BENCH[@]}" --ep webgpu --threads 1 --warmup 2 --runs 5 --dump "$W/dump" \
    --out "$OUT/webgpu.json" 2>&1 | quiet
fi
stamp "B: WASM, $WASM_THREADS threads: plain / augmentedAll / product (warm-up 1, 5 / 2 rounds), states vs WebGPU's"
timeout 110 "${BENCH[@]}" --ep wasm --threads "$WASM_THREADS" --warmup 1 --runs 5,2 \
  --variants plain,augmentedAll,product --compare "$W/dump" --out "$OUT/wasm.json" 2>&1 | quiet

stamp "merge"
nvidia-smi --query-gpu=name,memory.used,clocks.sm --format=csv 2>&1 | head -2
"$PY" "$TOOL/summarize.py" "$OUT/results.json" "$OUT/webgpu.json" "$OUT/wasm.json"
stamp "done"
