#!/usr/bin/env node
// `npx linscope ...`: runs the TypeScript entry through tsx's loader (no build step).
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// The analysis kernel uses WebAssembly relaxed SIMD (fused multiply-add) where the engine has it,
// as Chrome does by default; Node 20 has it behind this flag (V8 flags are process-wide, so the
// pair worker threads get it too). Newer Node versions have it on already.
if (Number(process.versions.node.split('.')[0]) === 20)
  setFlagsFromString('--experimental-wasm-relaxed-simd');
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
