import { createReadStream, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const ortDist = join(root, 'node_modules', 'onnxruntime-web', 'dist');

/**
 * onnxruntime-web's runtime files, served by LinScope itself under `ort/` (never from a CDN).
 * transformers.js imports `onnxruntime-web/webgpu`, whose bundle needs the asyncify build.
 */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
] as const;

/** Cross-origin isolation, so onnxruntime-web can use wasm threads (SharedArrayBuffer). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function ortRuntimeFiles(): Plugin {
  return {
    name: 'linscope:ort-runtime-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const match = /\/ort\/([^/]+)$/.exec(path);
        const file = match?.[1];
        if (!file || !(ORT_RUNTIME_FILES as readonly string[]).includes(file)) return next();
        const full = join(ortDist, file);
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.setHeader('Content-Length', String(statSync(full).size));
        createReadStream(full).pipe(res);
      });
    },
    generateBundle() {
      for (const file of ORT_RUNTIME_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(join(ortDist, file)) });
      }
    },
  };
}

export default defineConfig({
  // Relative base: the built site works from any path on any static host.
  base: './',
  plugins: [react(), ortRuntimeFiles()],
  server: { headers: isolationHeaders, port: 5173, strictPort: false },
  preview: { headers: isolationHeaders, port: 4173 },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
});
