/**
 * The GPT-2-small-shaped benchmark model (random weights, ~500 MB, git-ignored in bench/models/),
 * generated on first use by tools/models/make_bench_model.py. That needs Python with torch: the
 * benchmarks may, the tests never do.
 *
 * Python: LINSCOPE_PYTHON when set, else .venv/bin/python in the checkout, else python3; when
 * none of these has torch (and LINSCOPE_PYTHON is not set), .venv is created and filled first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_MODEL_FILE, log, ROOT } from './lib';

const MODULES = ['torch', 'transformers', 'onnx', 'onnxruntime', 'safetensors', 'tokenizers', 'numpy'];

const PIP_PACKAGES = MODULES.filter((m) => m !== 'tokenizers' && m !== 'numpy');

export const PYTHON_SETUP = [
  'The benchmark model is generated with Python and torch (once; ~500 MB, a few minutes, ~3 GB of RAM).',
  '`npm run bench` sets up .venv in the checkout for it when no Python at hand has them; by hand:',
  '  python3 -m venv .venv',
  `  .venv/bin/pip install ${PIP_PACKAGES.join(' ')}`,
  '(or point LINSCOPE_PYTHON at a Python that has them).',
].join('\n');

const VENV_PYTHON = join(ROOT, '.venv', 'bin', 'python');

function python(): string {
  if (process.env.LINSCOPE_PYTHON) return process.env.LINSCOPE_PYTHON;
  return existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
}

/** Why `py` cannot make the model (a missing module, no Python), or null when it can. */
function missingModules(py: string): string | null {
  const check = spawnSync(py, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
  if (check.status === 0) return null;
  return check.error ? String(check.error) : (check.stderr.trim().split('\n').at(-1) ?? 'unknown');
}

/**
 * Creates .venv in the checkout and installs the generator's packages into it (pip reads the
 * machine's package index or wheel mirror). Only when LINSCOPE_PYTHON is not set: a Python the
 * user named is never changed.
 */
function setUpVenv(): void {
  if (!existsSync(VENV_PYTHON)) {
    log('model: creating .venv for the benchmark model generator (python3 -m venv .venv)');
    const venv = spawnSync('python3', ['-m', 'venv', join(ROOT, '.venv')], { stdio: 'inherit' });
    if (venv.status !== 0)
      throw new Error(`python3 -m venv .venv failed (exit ${venv.status}).\n${PYTHON_SETUP}`);
  }
  log(`model: installing ${PIP_PACKAGES.join(', ')} into .venv (once; several minutes)`);
  const pip = spawnSync(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', ...PIP_PACKAGES], {
    stdio: 'inherit',
  });
  if (pip.status !== 0)
    throw new Error(`pip install into .venv failed (exit ${pip.status}).\n${PYTHON_SETUP}`);
}

export function ensureBenchModel(): void {
  if (existsSync(BENCH_MODEL_FILE)) return;
  let py = python();
  let why = missingModules(py);
  if (why !== null && !process.env.LINSCOPE_PYTHON) {
    log(`model: ${py} cannot make the benchmark model (${why})`);
    setUpVenv();
    py = VENV_PYTHON;
    why = missingModules(py);
  }
  if (why !== null)
    throw new Error(`${BENCH_MODEL_FILE} is missing and ${py} cannot make it (${why}).\n${PYTHON_SETUP}`);
  log(`model: generating the benchmark model with ${py} tools/models/make_bench_model.py (a few minutes)`);
  const r = spawnSync(py, ['tools/models/make_bench_model.py'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(BENCH_MODEL_FILE))
    throw new Error(`tools/models/make_bench_model.py failed (exit ${r.status}).\n${PYTHON_SETUP}`);
}
