/**
 * Builds the bench pages (bench/page: the hidden-state overhead in onnxruntime-web, index.html; the
 * analysis core's linear algebra, linalg.html) into bench/out/page. `bench/browser.ts` serves it beside the app's own build, which provides `ort/`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: join(here, 'page'),
  base: './',
  appType: 'mpa',
  worker: { format: 'es' },
  build: {
    outDir: join(here, 'out', 'page'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: [join(here, 'page', 'index.html'), join(here, 'page', 'linalg.html')] },
  },
  logLevel: 'warn',
});
