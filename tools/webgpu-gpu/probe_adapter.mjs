// Which WebGPU adapters Dawn (npm `webgpu`, dawn.node) sees: prints the adapter list and the
// high-performance adapter's info; exit 0 when one is found that is not a fallback (CPU) adapter.
//   node probe_adapter.mjs BIN_DIR
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dawn = await import(pathToFileURL(join(resolve(process.argv[2]), 'webgpu', 'index.js')).href);
Object.assign(globalThis, dawn.globals);
const opts = (process.env.DAWN_OPTS ?? '').split(';').filter(Boolean);
let list;
try {
  const a = await dawn.create([...opts, 'adapter=__list_adapters__']).requestAdapter();
  list = a ? 'returned an adapter' : 'null';
} catch (error) {
  list = String(error?.message ?? error);
}
console.log(`probe: adapter list: ${list}`);
let gpu = dawn.create(opts);
const featureLevel = process.env.WEBGPU_FEATURE_LEVEL; // 'compatibility' for Dawn's GL backends
const adapter = await gpu.requestAdapter({
  powerPreference: 'high-performance',
  ...(featureLevel ? { featureLevel } : {}),
});
const info = adapter?.info;
const out = adapter
  ? {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
    }
  : null;
console.log(`probe: requestAdapter: ${JSON.stringify(out)}`);
gpu = null;
process.exit(out && !out.isFallbackAdapter ? 0 : 1);
