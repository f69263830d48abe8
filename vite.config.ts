import { createReadStream, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const ortDist = join(root, 'node_modules', 'onnxruntime-web', 'dist');

/**
 * Files LinScope serves itself from node_modules (URL path relative to the base -> file).
 * onnxruntime-web's runtime comes from our own origin, never a CDN: transformers.js imports
 * `onnxruntime-web/webgpu`, whose build needs the asyncify files. The cross-origin-isolation
 * service worker is for static hosts that cannot send COOP/COEP headers (docs/deploy.md).
 */
const SELF_SERVED_FILES: Record<string, string> = {
  'ort/ort-wasm-simd-threaded.asyncify.wasm': join(ortDist, 'ort-wasm-simd-threaded.asyncify.wasm'),
  'ort/ort-wasm-simd-threaded.asyncify.mjs': join(ortDist, 'ort-wasm-simd-threaded.asyncify.mjs'),
  'coi-serviceworker.js': join(root, 'node_modules', 'coi-serviceworker', 'coi-serviceworker.min.js'),
};

const CONTENT_TYPES: Record<string, string> = {
  wasm: 'application/wasm',
  mjs: 'text/javascript',
  js: 'text/javascript',
};

/** Cross-origin isolation, so onnxruntime-web can use wasm threads (SharedArrayBuffer). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The Content-Security-Policy of the built site (docs/deploy.md lists it for hosts, and says why each
 * source is there). No inline script and no eval: only this origin's scripts, plus
 * 'wasm-unsafe-eval' for onnxruntime's WebAssembly. Models come from this origin, or from the Hub
 * when the user allows a download (huggingface.co redirects its files to *.hf.co / *.huggingface.co).
 * React writes style attributes (chart sizes, colours), so style attributes are allowed; style
 * elements still only from this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' data: blob: https://huggingface.co https://*.huggingface.co https://*.hf.co",
  "img-src 'self' data: blob:",
  "style-src-elem 'self'",
  "style-src-attr 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function selfServedFiles(): Plugin {
  return {
    name: 'linscope:self-served-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0].replace(/^\/+/, '');
        const full = SELF_SERVED_FILES[path];
        if (!full) return next();
        res.setHeader(
          'Content-Type',
          CONTENT_TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream',
        );
        res.setHeader('Content-Length', String(statSync(full).size));
        for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
        createReadStream(full).pipe(res);
      });
    },
    generateBundle() {
      for (const [fileName, full] of Object.entries(SELF_SERVED_FILES)) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(full) });
      }
    },
  };
}

export default defineConfig({
  // Relative base: the built site works from any path on any static host.
  base: './',
  // No SPA fallback: a missing model file must be a 404, not index.html with status 200
  // (transformers.js would cache that page as the file).
  appType: 'mpa',
  plugins: [react(), selfServedFiles()],
  // onnxruntime-web's default `webgpu` entry is a bundle that imports its 27 MB wasm itself, so the
  // bundler would emit a hashed second copy beside `ort/`. This condition picks its build that
  // loads the runtime from `ort.env.wasm.wasmPaths` (our `ort/`, webRuntime.ts): one copy shipped.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  server: { headers: isolationHeaders, port: 5173, strictPort: false },
  // The built site gets the CSP; the dev server cannot (React's refresh preamble is an inline script).
  preview: {
    headers: { ...isolationHeaders, 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    port: 4173,
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
});
