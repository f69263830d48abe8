/**
 * Benchmark of the full per-layer linearity fit (every pair, with and without the residual stream)
 * next to numpy on the same machine and the same data. Not a test: it prints figures.
 *
 *   npx tsx bench/analysis.bench.ts [--layers 12] [--hidden 768] [--tokens 4096] [--lstsq] [--no-numpy]
 *
 * The states are synthetic (a residual stream with a cheap element-wise non-linear update, seeded),
 * written once as float32 to a temporary file that tools/bench_linalg.py reads.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeLayers, hiddenStates } from '../src/analysis';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '768' },
    tokens: { type: 'string', default: '4096' },
    lstsq: { type: 'boolean', default: false },
    'no-numpy': { type: 'boolean', default: false },
  },
});
const L = Number(values.layers);
const d = Number(values.hidden);
const n = Number(values.tokens);

function makeStates(): Float32Array {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const data = new Float32Array((L + 1) * n * d);
  for (let i = 0; i < n * d; i++) data[i] = 2 * rand();
  for (let l = 0; l < L; l++) {
    const src = l * n * d;
    const dst = src + n * d;
    const shift = 1 + ((l * 7) % (d - 1));
    for (let t = 0; t < n; t++) {
      for (let f = 0; f < d; f++) {
        const x = data[src + t * d + f];
        const other = data[src + t * d + ((f + shift) % d)];
        data[dst + t * d + f] = x + 0.3 * Math.tanh(1.5 * x * other + 0.5 * other) + 0.05 * rand();
      }
    }
  }
  return data;
}

const data = makeStates();
const states = hiddenStates(data, L + 1, n, d);
console.log(`LinScope analysis benchmark: L = ${L}, d = ${d}, n = ${n} (Node ${process.version})`);

// Warm-up on a small slice so the kernels are optimised before timing.
analyzeLayers(hiddenStates(data.subarray(0, 3 * 256 * d), 3, 256, d), {
  companions: false,
  heldOutFraction: 0,
});

const t0 = performance.now();
const pairTimes: number[] = [];
let last = t0;
const result = analyzeLayers(
  states,
  { companions: false, heldOutFraction: 0 },
  {
    onProgress: () => {
      const now = performance.now();
      pairTimes.push(now - last);
      last = now;
    },
  },
);
const ours = (performance.now() - t0) / 1000;
const flops = (2 * (L + 1) * n * d * d) / 2 + 2 * L * n * d * d + (L * (d * d * d)) / 3 + L * d * d * d;
console.log(
  `ours (TypeScript, float64, 1 thread): ${ours.toFixed(2)} s total, ${(ours / L).toFixed(2)} s per pair, ` +
    `~${(flops / ours / 1e9).toFixed(1)} GFLOP/s`,
);
console.log(`  per pair (ms): ${pairTimes.map((t) => t.toFixed(0)).join(' ')}`);

if (!values['no-numpy']) {
  const file = join(tmpdir(), `linscope-bench-${process.pid}.f32`);
  writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  try {
    const args = [
      'tools/bench_linalg.py',
      '--states',
      file,
      '--layers',
      `${L}`,
      '--tokens',
      `${n}`,
      '--hidden',
      `${d}`,
    ];
    if (values.lstsq) args.push('--lstsq');
    const report = JSON.parse(execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
      blasThreads: number | null;
      cpus: number;
      normal: { seconds: number; linearity: number[]; linearityNoResidual: number[] };
      lstsq?: { seconds: number; linearity: number[]; linearityNoResidual: number[] };
    };
    const agree = (want: number[], key: 'linearity' | 'linearityNoResidual') =>
      Math.max(...result.layers.map((p, l) => Math.abs((p[key] ?? Number.NaN) - want[l])));
    const threads = report.blasThreads ?? `default (${report.cpus} CPUs)`;
    const np = report.normal;
    console.log(
      `numpy normal equations + Cholesky (float64, BLAS threads: ${threads}): ${np.seconds.toFixed(2)} s ` +
        `-> ours / numpy = ${(ours / np.seconds).toFixed(1)}x; ` +
        `max |score diff| ${agree(np.linearity, 'linearity').toExponential(1)} / ${agree(np.linearityNoResidual, 'linearityNoResidual').toExponential(1)}`,
    );
    if (report.lstsq) {
      const ls = report.lstsq;
      console.log(
        `numpy lstsq per fit (SVD, float64): ${ls.seconds.toFixed(2)} s -> ours / numpy = ${(ours / ls.seconds).toFixed(2)}x; ` +
          `max |score diff| ${agree(ls.linearity, 'linearity').toExponential(1)} / ${agree(ls.linearityNoResidual, 'linearityNoResidual').toExponential(1)}`,
      );
    }
  } finally {
    rmSync(file, { force: true });
  }
}
console.log(`scores: ${result.layers.map((p) => p.linearity?.toFixed(4)).join(' ')}`);
