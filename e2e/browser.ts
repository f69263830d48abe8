/** Flags that keep Chromium quiet on a machine without network or GPU. */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** WebGPU on SwiftShader (a CPU adapter): a correctness check, not a benchmark. */
export const WEBGPU_CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

/** The e2e tests build into their own folder, so a `npm run build` meanwhile cannot pull files from under them. */
export const E2E_SITE = '.e2e-site';
