/**
 * `npm run bench`: every benchmark of docs/performance.md in one go, each step in its own process,
 * then the table (printed, and as Markdown in bench/out/table.md) and one more entry in the history
 * bench/results.json. Not part of `npm test`.
 *
 *   npm run bench [-- --quick] [--only overhead,linalg,memory,e2e,linearize,soak] [--no-webgpu]
 *
 * `soak` (100 analyses and 20 model switches in one tab; docs/reliability.md) runs only when named
 * in --only: it needs no benchmark model, and it is a check of leaks rather than of speed.
 *
 * Needs the GPT-2-small-shaped benchmark model; when bench/models/ lacks it, it is generated first
 * with Python and torch (bench/ensureModel.ts says how to set that up). Chromium: /usr/bin/chromium
 * or CHROMIUM_PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBenchModel } from './ensureModel';
import { type Figure, formatValue, log, OUT_DIR, ROOT } from './lib';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-webgpu': { type: 'boolean', default: false },
  },
});
const QUICK = values.quick;
const only = values.only ? new Set(values.only.split(',')) : null;
const wanted = (step: string) => !only || only.has(step);
const RESULTS = join(ROOT, 'bench', 'results.json');

interface StepOutput {
  figures: Figure[];
  chromium?: string;
}

/** Node 20 has WebAssembly relaxed SIMD (the FMA kernel) behind a flag; the CLI sets it too (cli/bin.mjs). */
const RELAXED_SIMD =
  Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

/** Runs `node --import tsx <script>` in its own process; its figures come back through a JSON file. */
function tsxStep(name: string, script: string, args: string[] = [], nodeFlags: string[] = []): StepOutput {
  const out = join(OUT_DIR, `${name}.json`);
  rmSync(out, { force: true });
  const started = Date.now();
  log(`step ${name}: ${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args, '--out', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  log(`step ${name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (r.status !== 0 || !existsSync(out)) throw new Error(`step ${name} failed (exit ${r.status})`);
  return JSON.parse(readFileSync(out, 'utf8')) as StepOutput;
}

/**
 * Linear algebra in Node: bench/analysis.bench.ts (ours vs numpy, it runs tools/bench_linalg.py),
 * its printed lines parsed; the same step in Chromium, as the page runs it, is a browser step
 * (bench/browser/linalg.ts). Both run numpy through bench/linalgNumpy.ts.
 */
function linalgStep(): StepOutput {
  const flags = RELAXED_SIMD;
  const args = [...flags, '--import', 'tsx', 'bench/analysis.bench.ts', '--repeats', QUICK ? '1' : '2'];
  log(`step linalg: node ${args.join(' ')}`);
  const started = Date.now();
  const text = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  process.stderr.write(text);
  log(`step linalg: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    if (!m) throw new Error(`analysis.bench.ts printed no line matching ${re}`);
    return Number(m[1]);
  };
  const ours = num(/^ours \(.*?\): ([\d.]+) s total/m);
  const parallelMatch = /^ours on (\d+) worker threads .*?: ([\d.]+) s total/m.exec(text);
  const threads = parallelMatch ? Number(parallelMatch[1]) : 1;
  const oursAll = parallelMatch ? Number(parallelMatch[2]) : ours;
  const oursCpu = num(/^ours \(.*?; CPU ([\d.]+) s/m);
  const kernel = /^ours \((.*?), float64/m.exec(text)?.[1] ?? '';
  const np = num(/^numpy normal equations.*default BLAS threads.*?: ([\d.]+) s/m);
  const npCpu = num(/^numpy normal equations.*default BLAS threads.*?CPU ([\d.]+) s/m);
  const np1 = num(/^numpy normal equations.*1 BLAS thread\): ([\d.]+) s/m);
  const np1Cpu = num(/^numpy normal equations.*1 BLAS thread\).*?CPU ([\d.]+) s/m);
  const kernelOurs = num(/^ {2}kernel: one cross-Gram at ([\d.]+) GFLOP\/s/m);
  const kernelNumpy1 = num(
    /^ {2}kernel: one cross-Gram by BLAS dgemm \(1 BLAS thread\) at ([\d.]+) GFLOP\/s/m,
  );
  const native1 = num(
    /^ours, native products \(onnxruntime-node native GEMM \(1 thread\).*?: ([\d.]+) s total/m,
  );
  const nativeAllMatch =
    /^ours, native products \(onnxruntime-node native GEMM \((\d+) threads\).*?: ([\d.]+) s total/m.exec(
      text,
    );
  const nativeThreads = nativeAllMatch ? Number(nativeAllMatch[1]) : 1;
  const nativeAll = nativeAllMatch ? Number(nativeAllMatch[2]) : native1;
  const one = (
    id: string,
    label: string,
    unit: Figure['unit'],
    v: number,
    extra: Partial<Figure> = {},
  ): Figure => ({
    id,
    label,
    unit,
    min: v,
    median: v,
    max: v,
    samples: 1,
    ...extra,
  });
  const note = `L = 12, d = 768, n = 4096; best of ${QUICK ? 1 : 2}; ${kernel}`;
  return {
    figures: [
      one(
        'linalg.ratio.wall.native',
        `Linear algebra, CLI (native products, ${nativeThreads} threads) / numpy (wall-clock, numpy default threads)`,
        'ratio',
        nativeAll / np,
        { target: 1.5, note: `L = 12, d = 768, n = 4096; best of ${QUICK ? 1 : 2}; onnxruntime-node GEMM` },
      ),
      one(
        'linalg.ratio.wall.native.1thread',
        'Linear algebra, CLI (native products, 1 thread) / numpy with 1 BLAS thread (wall-clock)',
        'ratio',
        native1 / np1,
      ),
      one(
        'linalg.ratio.wall',
        `Linear algebra, the page's WebAssembly kernel in Node on ${threads} worker threads / numpy (wall-clock, numpy default threads)`,
        'ratio',
        oursAll / np,
        { note },
      ),
      one(
        'linalg.ratio.wall.ours1thread',
        'Linear algebra, ours on 1 thread / numpy (wall-clock)',
        'ratio',
        ours / np,
      ),
      one('linalg.ratio.cpu', 'Linear algebra, ours / numpy (CPU time)', 'ratio', oursCpu / npCpu),
      one(
        'linalg.ratio.wall.1thread',
        'Linear algebra, ours / numpy with 1 BLAS thread (wall-clock)',
        'ratio',
        ours / np1,
      ),
      one(
        'linalg.ratio.cpu.1thread',
        'Linear algebra, ours / numpy with 1 BLAS thread (CPU time)',
        'ratio',
        oursCpu / np1Cpu,
      ),
      one('linalg.kernel.ours', 'Cross-Gram kernel, ours (1 thread)', 'GFLOP/s', kernelOurs),
      one('linalg.kernel.numpy', 'Cross-Gram kernel, BLAS dgemm (1 thread)', 'GFLOP/s', kernelNumpy1),
      one('linalg.ours', 'Linear algebra, ours (1 thread)', 's', ours),
      one('linalg.ours.threads', `Linear algebra, ours (${threads} threads)`, 's', oursAll),
      one(
        'linalg.native',
        `Linear algebra, ours with native products (${nativeThreads} threads)`,
        's',
        nativeAll,
      ),
      one('linalg.native.1thread', 'Linear algebra, ours with native products (1 thread)', 's', native1),
      one('linalg.numpy', 'Linear algebra, numpy float64 (default threads)', 's', np),
    ],
  };
}

function gitCommit(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .some((l) => l && !l.includes('bench/out') && !l.includes('bench/results.json'));
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const v = (x: number) => formatValue(f.unit, x);
    const unit = f.unit === 'ratio' || f.unit === 'share' ? '' : ` ${f.unit}`;
    const target =
      f.target === undefined ? '' : `<= ${f.target} ${f.median <= f.target ? 'met' : '**missed**'}`;
    return `| ${f.label.trim().startsWith('share') ? `&nbsp;&nbsp;${f.label.trim()}` : f.label} | ${v(f.median)}${unit} | ${v(f.min)} .. ${v(f.max)} | ${f.samples} | ${target} |`;
  });
  return [
    '| Figure | Median | Min .. max | n | Target |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(OUT_DIR, { recursive: true });
  const figures: Figure[] = [];
  const errors: string[] = [];
  let chromium: string | null = null;
  const attempt = (name: string, body: () => StepOutput) => {
    if (!wanted(name)) return;
    try {
      const out = body();
      figures.push(...out.figures);
      chromium = out.chromium ?? chromium;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`step ${name} FAILED: ${message}`);
      errors.push(`${name}: ${message}`);
    }
  };
  // Without the model there is nothing to time; its failure (no torch) ends the run with the reason.
  if (wanted('overhead') || wanted('memory') || wanted('e2e') || (wanted('linearize') && !QUICK)) {
    try {
      ensureBenchModel();
    } catch (error) {
      process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
  const q = QUICK ? ['--quick'] : [];
  const webgpu = values['no-webgpu'] ? [] : ['--webgpu'];
  let built = false;
  const browserStep = (part: 'overhead' | 'linalg' | 'e2e' | 'sweep' | 'soak') => {
    const args = [...q, ...webgpu, '--only', part, ...(built ? ['--skip-build'] : [])];
    built = true;
    return tsxStep(`browser-${part}`, 'bench/browser.ts', args);
  };
  attempt('overhead', () => tsxStep('overhead', 'bench/overhead.node.ts', QUICK ? ['--pairs', '3'] : []));
  attempt('overhead', () => browserStep('overhead'));
  attempt('linalg', linalgStep);
  attempt('linalg', () => browserStep('linalg'));
  attempt('memory', () => tsxStep('memory', 'bench/memory.node.ts', [], RELAXED_SIMD));
  attempt('e2e', () => browserStep('e2e'));
  attempt('linearize', () => tsxStep('linearize', 'bench/linearize.node.ts', q, RELAXED_SIMD));
  attempt('linearize', () => browserStep('sweep'));
  if (only?.has('soak')) attempt('soak', () => browserStep('soak'));

  const cpu = cpus();
  const entry = {
    date: new Date().toISOString(),
    ...gitCommit(),
    machine: {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((v) => Number(v.toFixed(2))),
    },
    versions: {
      node: process.version,
      chromium,
      onnxruntimeNode: packageVersion('onnxruntime-node'),
      onnxruntimeWeb: packageVersion('onnxruntime-web'),
      transformers: packageVersion('@huggingface/transformers'),
    },
    options: { quick: QUICK, only: values.only ?? null, webgpu: !values['no-webgpu'] },
    seconds: Math.round((Date.now() - started) / 1000),
    figures,
    errors,
  };
  const history = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { history: unknown[] }).history
    : [];
  writeFileSync(RESULTS, `${JSON.stringify({ history: [...history, entry] }, null, 1)}\n`);
  const md = [
    `Run ${entry.date} on ${entry.machine.cpu} (${entry.machine.cores} cores), ${entry.versions.node}, ` +
      `${chromium ?? 'no Chromium'}; commit ${entry.commit.slice(0, 10)}${entry.dirty ? ' (with local changes)' : ''}; ` +
      `load average at the end ${entry.machine.loadAverageAtEnd.join(', ')}; ${entry.seconds} s.`,
    '',
    table(figures),
    ...(errors.length ? ['', 'Failed steps:', ...errors.map((e) => `- ${e}`)] : []),
  ].join('\n');
  writeFileSync(join(OUT_DIR, 'table.md'), `${md}\n`);
  process.stdout.write(
    `\n${md}\n\nHistory: bench/results.json (${history.length + 1} runs); table: bench/out/table.md\n`,
  );
  if (errors.length) process.exitCode = 1;
}

await main();
