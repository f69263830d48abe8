/**
 * The GPT-2-small-shaped benchmark model (random weights, ~500 MB, git-ignored in bench/models/),
 * generated on first use by tools/models/make_bench_model.py. That needs Python with torch: the
 * benchmarks may, the tests never do.
 *
 * Python: LINSCOPE_PYTHON when set, else .venv/bin/python in the checkout, else python3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_MODEL_FILE, log, ROOT } from './lib';

const MODULES = ['torch', 'transformers', 'onnx', 'onnxruntime', 'safetensors', 'tokenizers', 'numpy'];

export const PYTHON_SETUP = [
  'The benchmark model is generated with Python and torch (once; ~500 MB, a few minutes, ~3 GB of RAM):',
  '  python3 -m venv .venv',
  `  .venv/bin/pip install ${MODULES.filter((m) => m !== 'tokenizers' && m !== 'numpy').join(' ')}`,
  'then run `npm run bench` again (or point LINSCOPE_PYTHON at a Python that has them).',
].join('\n');

function python(): string {
  if (process.env.LINSCOPE_PYTHON) return process.env.LINSCOPE_PYTHON;
  const venv = join(ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

export function ensureBenchModel(): void {
  if (existsSync(BENCH_MODEL_FILE)) return;
  const py = python();
  const check = spawnSync(py, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
  if (check.status !== 0) {
    const why = check.error ? String(check.error) : check.stderr.trim().split('\n').at(-1);
    throw new Error(`${BENCH_MODEL_FILE} is missing and ${py} cannot make it (${why}).\n${PYTHON_SETUP}`);
  }
  log(`model: generating the benchmark model with ${py} tools/models/make_bench_model.py (a few minutes)`);
  const r = spawnSync(py, ['tools/models/make_bench_model.py'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(BENCH_MODEL_FILE))
    throw new Error(`tools/models/make_bench_model.py failed (exit ${r.status}).\n${PYTHON_SETUP}`);
}
