/**
 * numpy's side of the linear-algebra benchmark, for the Node step (bench/analysis.bench.ts) and the
 * page's (bench/browser/linalg.ts): tools/bench_linalg.py on the same float32 states, written once
 * to a temporary file. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are dropped for these commands: set on
 * some machines for old OpenBLAS builds, they slow a current numpy.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib';

/** What tools/bench_linalg.py prints (one JSON line). */
export interface NumpyReport {
  blasThreads: number | null;
  cpus: number;
  crossGramGflops: number;
  normal: { seconds: number; cpuSeconds: number; linearity: number[]; linearityNoResidual: number[] };
  lstsq?: { seconds: number; cpuSeconds: number; linearity: number[]; linearityNoResidual: number[] };
}

export interface NumpyRun {
  /** OPENBLAS_NUM_THREADS (and OMP / MKL) for this run; null: numpy's default. */
  readonly blasThreads: string | null;
  /** Time numpy's SVD-based lstsq too. */
  readonly lstsq?: boolean;
}

/** One report per entry of `runs`, in order, on `data` ([layers + 1, tokens, hidden] float32). */
export function numpyLinalg(
  data: Float32Array,
  shape: {
    readonly layers: number;
    readonly tokens: number;
    readonly hidden: number;
    readonly repeats: number;
  },
  runs: readonly NumpyRun[],
): NumpyReport[] {
  const file = join(tmpdir(), `linscope-bench-${process.pid}.f32`);
  writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  try {
    const args = ['tools/bench_linalg.py', '--states', file, '--layers', `${shape.layers}`];
    args.push('--tokens', `${shape.tokens}`, '--hidden', `${shape.hidden}`, '--repeats', `${shape.repeats}`);
    return runs.map(({ blasThreads, lstsq }) => {
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      delete env.OPENBLAS_L2_SIZE;
      if (blasThreads !== null) {
        env.OPENBLAS_NUM_THREADS = blasThreads;
        env.OMP_NUM_THREADS = blasThreads;
        env.MKL_NUM_THREADS = blasThreads;
      }
      const argv = lstsq ? [...args, '--lstsq'] : args;
      return JSON.parse(
        execFileSync('python3', argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, env }),
      ) as NumpyReport;
    });
  } finally {
    rmSync(file, { force: true });
  }
}
