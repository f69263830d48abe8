/**
 * Shared pieces of the benchmark steps: the figure format every step writes, statistics, and the
 * benchmark model's location. Each step runs in its own process (clean memory, one model loaded at a
 * time) and writes its figures as JSON to the file given by `--out`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_MODEL_ID = 'bench/gpt2-small-random';
export const BENCH_MODEL_DIR = join(ROOT, 'bench', 'models', 'gpt2-small-random');
export const BENCH_MODEL_FILE = join(BENCH_MODEL_DIR, 'onnx', 'model.onnx');
export const OUT_DIR = join(ROOT, 'bench', 'out');

export interface Figure {
  /** Stable key, e.g. `overhead.node.T128`. */
  id: string;
  label: string;
  unit: 'ratio' | 'ms' | 's' | 'MB' | 'share' | 'GFLOP/s';
  min: number;
  median: number;
  max: number;
  samples: number;
  /** Upper bound the issue sets (ratios); absent where there is none. */
  target?: number;
  /** What the figure rests on (backend, threads, sizes). */
  note?: string;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function figure(
  id: string,
  label: string,
  unit: Figure['unit'],
  values: readonly number[],
  extra: { target?: number; note?: string } = {},
): Figure {
  return {
    id,
    label,
    unit,
    min: Math.min(...values),
    median: median(values),
    max: Math.max(...values),
    samples: values.length,
    ...extra,
  };
}

/** `--out FILE` of a step's command line, or null when run by hand (figures printed only). */
export function outArg(argv: readonly string[] = process.argv): string | null {
  const i = argv.indexOf('--out');
  return i >= 0 ? (argv[i + 1] ?? null) : null;
}

export function writeFigures(figures: Figure[], extra: Record<string, unknown> = {}): void {
  const out = outArg();
  for (const f of figures) log(formatFigure(f));
  if (!out) return;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ figures, ...extra }, null, 2)}\n`);
}

export function formatValue(unit: Figure['unit'], v: number): string {
  if (unit === 'ratio') return v.toFixed(3);
  if (unit === 'share') return `${(100 * v).toFixed(0)}%`;
  if (unit === 'ms') return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  if (unit === 's') return v.toFixed(2);
  if (unit === 'GFLOP/s') return v.toFixed(1);
  return v.toFixed(0);
}

export function formatFigure(f: Figure): string {
  const v = (x: number) => formatValue(f.unit, x);
  const unit = f.unit === 'ratio' || f.unit === 'share' ? '' : ` ${f.unit}`;
  const target =
    f.target === undefined ? '' : ` (target <= ${f.target}: ${f.median <= f.target ? 'met' : 'MISSED'})`;
  return `${f.label}: ${v(f.median)}${unit} [${v(f.min)} .. ${v(f.max)}, n=${f.samples}]${target}`;
}

/** Progress on stderr, so stdout stays free for whatever a step prints on purpose. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function requireBenchModel(): void {
  if (!existsSync(BENCH_MODEL_FILE))
    throw new Error(`${BENCH_MODEL_FILE} is missing: run \`npm run bench\` (it generates the model).`);
}

export function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}
