import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { nodePairWorkers } from '../cli/nodePairWorkers';
import {
  analyzeLayers,
  centerColumns,
  crossGram,
  hiddenStates,
  type LayerAnalysis,
  stateMatrix,
} from '../src/analysis';
import { kernelKind, setProductEngine, setSimdKernel } from '../src/analysis/gram';
import { analyzeLayersInParallel } from '../src/job/parallelPairs';
import { createNativeProductEngine } from '../src/model/nativeProducts';
import { type NumpyRun, numpyLinalg } from './linalgNumpy';
import { syntheticStates } from './linalgStates';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '768' },
    tokens: { type: 'string', default: '4096' },
    repeats: { type: 'string', default: '2' },
    lstsq: { type: 'boolean', default: false },
    'no-numpy': { type: 'boolean', default: false },
    'js-kernel': { type: 'boolean', default: false },
    'no-native': { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
const L = Number(values.layers);
const d = Number(values.hidden);
const n = Number(values.tokens);
const repeats = Math.max(1, Number(values.repeats));
if (values['js-kernel']) setSimdKernel(false);

const data = syntheticStates(L, n, d);
const states = hiddenStates(data, L + 1, n, d);
const options = { companions: false, heldOutFraction: 0 };
console.log(`LinScope analysis benchmark: L = ${L}, d = ${d}, n = ${n} (Node ${process.version})`);

// Warm-up on a small slice so the kernels are optimised before timing.
analyzeLayers(hiddenStates(data.subarray(0, 3 * 256 * d), 3, 256, d), options);

let ours = Number.POSITIVE_INFINITY;
let oursCpu = Number.POSITIVE_INFINITY;
let pairTimes: number[] = [];
let result: LayerAnalysis | null = null;
for (let r = 0; r < repeats; r++) {
  const times: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let last = t0;
  result = analyzeLayers(states, options, {
    onProgress: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  oursCpu = Math.min(oursCpu, (cpu.user + cpu.system) / 1e6);
  if (seconds < ours) {
    ours = seconds;
    pairTimes = times;
  }
}
// Multiply-adds x 2: L + 1 symmetric Grams, L cross-Grams, L Cholesky factors and L triangular solves.
const flops = (L + 1) * n * d * d + 2 * L * n * d * d + (L * d * d * d) / 3 + L * d * d * d;
const kernel = {
  'relaxed-madd': 'WebAssembly relaxed-SIMD FMA',
  simd128: 'WebAssembly SIMD',
  js: 'JavaScript',
}[kernelKind()];
console.log(
  `ours (TypeScript + ${kernel} kernel, float64, 1 thread, best of ${repeats}): ${ours.toFixed(2)} s total, ` +
    `${(ours / L).toFixed(2)} s per pair, ~${(flops / ours / 1e9).toFixed(1)} GFLOP/s; CPU ${oursCpu.toFixed(2)} s`,
);
console.log(`  per pair (ms): ${pairTimes.map((t) => t.toFixed(0)).join(' ')}`);

// The kernel alone: one centred cross-Gram Y^T X (n d^2 multiply-adds), best of 3.
const cx = centerColumns(stateMatrix(states, 0));
const cy = centerColumns(stateMatrix(states, 1));
let kernelSeconds = Number.POSITIVE_INFINITY;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  crossGram(cy.centered, cx.centered);
  kernelSeconds = Math.min(kernelSeconds, (performance.now() - t0) / 1000);
}
const kernelGflops = (2 * n * d * d) / kernelSeconds / 1e9;
console.log(`  kernel: one cross-Gram at ${kernelGflops.toFixed(1)} GFLOP/s (1 thread)`);

// The same on every core: the pairs split over worker threads, as the CLI and the page do for big
// runs. Worker start-up is inside the timing. Identical numbers (checked below).
const threads = Number(values.threads ?? availableParallelism());
let parallel = Number.POSITIVE_INFINITY;
if (threads > 1) {
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const got = await analyzeLayersInParallel(states, options, {}, nodePairWorkers(threads, true));
    parallel = Math.min(parallel, (performance.now() - t0) / 1000);
    const same = got.layers.every(
      (p, l) =>
        p.linearity === result?.layers[l].linearity &&
        p.linearityNoResidual === result?.layers[l].linearityNoResidual,
    );
    if (!same) throw new Error('the parallel run differs from the single-thread run');
  }
  console.log(
    `ours on ${threads} worker threads (pairs split, same kernel, best of ${repeats}): ${parallel.toFixed(2)} s total ` +
      `-> ${(ours / parallel).toFixed(2)}x faster than 1 thread`,
  );
}

// The CLI's path: the big products on onnxruntime-node's native GEMM (src/model/nativeProducts.ts),
// on one thread (thread for thread with numpy's 1 BLAS thread) and on every core in one onnxruntime
// pool, as the CLI runs it. Scores agree with the WebAssembly kernel's to rounding (printed).
interface NativeRun {
  label: string;
  seconds: number;
  cpuSeconds: number;
}
const nativeRuns: NativeRun[] = [];
let nativeDiff = 0;
if (!values['no-native']) {
  const timeNative = async (label: string, run: () => LayerAnalysis | Promise<LayerAnalysis>) => {
    let best = Number.POSITIVE_INFINITY;
    let bestCpu = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const got = await run();
      best = Math.min(best, (performance.now() - t0) / 1000);
      const cpu = process.cpuUsage(cpu0);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
      got.layers.forEach((p, l) => {
        for (const key of ['linearity', 'linearityNoResidual'] as const)
          nativeDiff = Math.max(nativeDiff, Math.abs((p[key] ?? 0) - (result?.layers[l][key] ?? 0)));
      });
    }
    nativeRuns.push({ label, seconds: best, cpuSeconds: bestCpu });
    console.log(
      `ours, native products (${label}, best of ${repeats}): ${best.toFixed(2)} s total ` +
        `-> ${(ours / best).toFixed(2)}x faster than the WebAssembly kernel on 1 thread; CPU ${bestCpu.toFixed(2)} s`,
    );
  };
  for (const nativeThreads of threads > 1 ? [1, threads] : [1]) {
    const made = createNativeProductEngine(nativeThreads);
    if (made.engine === null) {
      console.log(`native products unavailable: ${made.reason}`);
      break;
    }
    const previous = setProductEngine(made.engine);
    analyzeLayers(hiddenStates(data.subarray(0, 3 * 256 * d), 3, 256, d), options);
    await timeNative(made.engine.name, () => analyzeLayers(states, options));
    setProductEngine(previous);
  }
  console.log(`  max |score difference| from the WebAssembly kernel: ${nativeDiff.toExponential(1)}`);
}

const layers = result?.layers ?? [];
const agree = (want: number[], key: 'linearity' | 'linearityNoResidual') =>
  Math.max(...layers.map((p, l) => Math.abs((p[key] ?? Number.NaN) - want[l])));

if (!values['no-numpy']) {
  const runs: NumpyRun[] = [{ blasThreads: null, lstsq: values.lstsq }, { blasThreads: '1' }];
  const reports = numpyLinalg(data, { layers: L, tokens: n, hidden: d, repeats }, runs);
  for (const [i, report] of reports.entries()) {
    const { blasThreads } = runs[i];
    const label = blasThreads === null ? `default BLAS threads, ${report.cpus} CPUs` : '1 BLAS thread';
    const np = report.normal;
    const vsParallel =
      threads > 1 && blasThreads === null
        ? `; ours on ${threads} threads / numpy = ${(parallel / np.seconds).toFixed(2)}x`
        : '';
    const vsNative = nativeRuns
      .filter(
        (run) => (blasThreads === '1') === run.label.startsWith('onnxruntime-node native GEMM (1 thread)'),
      )
      .map((run) => `; native products (${run.label}) / numpy = ${(run.seconds / np.seconds).toFixed(2)}x`)
      .join('');
    console.log(
      `numpy normal equations + Cholesky (float64, ${label}): ${np.seconds.toFixed(2)} s ` +
        `-> ours / numpy = ${(ours / np.seconds).toFixed(2)}x${vsParallel}${vsNative}; CPU ${np.cpuSeconds.toFixed(2)} s ` +
        `-> ${(oursCpu / np.cpuSeconds).toFixed(2)}x; max |score diff| ` +
        `${agree(np.linearity, 'linearity').toExponential(1)} / ` +
        `${agree(np.linearityNoResidual, 'linearityNoResidual').toExponential(1)}`,
    );
    console.log(
      `  kernel: one cross-Gram by BLAS dgemm (${label}) at ${report.crossGramGflops.toFixed(1)} GFLOP/s ` +
        `-> ours / numpy = ${(report.crossGramGflops / kernelGflops).toFixed(2)}x the time`,
    );
    if (report.lstsq) {
      const ls = report.lstsq;
      console.log(
        `numpy lstsq per fit (SVD, float64, ${label}): ${ls.seconds.toFixed(2)} s ` +
          `-> ours / numpy = ${(ours / ls.seconds).toFixed(2)}x; CPU ${ls.cpuSeconds.toFixed(2)} s ` +
          `-> ${(oursCpu / ls.cpuSeconds).toFixed(2)}x; max |score diff| ` +
          `${agree(ls.linearity, 'linearity').toExponential(1)} / ` +
          `${agree(ls.linearityNoResidual, 'linearityNoResidual').toExponential(1)}`,
      );
    }
  }
}
console.log(`scores: ${layers.map((p) => p.linearity?.toFixed(4)).join(' ')}`);
console.log(
  `load average (1, 5, 15 min): ${loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);
