import { LinScopeError } from '../src/errors';
import { MODEL_DTYPES, type ModelDtype } from '../src/model/config';

export interface AnalyzeArgs {
  command: 'analyze';
  model: string;
  text: string | null;
  input: string | null;
  /** Treat the input as a corpus: .jsonl lines, or blank-line separated documents of a .txt. */
  corpus: boolean;
  reference: string | null;
  noReference: boolean;
  dtype: ModelDtype;
  out: string | null;
  dumpHidden: string | null;
  excludeBos: boolean;
  excludeMassive: boolean;
  window: number | null;
  /** Cores for the analysis: native GEMM threads, or pair workers with --kernel wasm (null: every core). */
  threads: number | null;
  /** What runs the big float64 products: onnxruntime-node's native GEMM, or the page's WebAssembly kernel. */
  kernel: ProductKernel;
}

export const PRODUCT_KERNELS = ['native', 'wasm'] as const;
export type ProductKernel = (typeof PRODUCT_KERNELS)[number];

export const USAGE = `Usage:
  linscope analyze --model <folder | hub-id> (--text "<prompt>" | --input <file>)
                   [--reference <file.txt> | --no-reference] [--dtype fp32|q8|fp16|q4|q4f16]
                   [--out result.json] [--dump-hidden hidden.safetensors]
                   [--corpus] [--exclude-bos] [--exclude-massive] [--window <tokens>]
                   [--threads <n>] [--kernel native|wasm]

  --input <file>     a .txt file (one text), or with --corpus a .txt of blank-line separated
                     documents or a .jsonl file (one {"text": ...} or string per line)
  --reference <file> text the per-token maps are fitted on (default: the bundled public-domain corpus)
  --out <file>       where the result JSON goes (default: standard output)
  --dump-hidden <f>  also write hidden_states [L+1, T, d], last_block_output [T, d], input_ids [T]
  --window <tokens>  longest window run at once (default: the model's context, at most 1024)
  --threads <n>      cores for the analysis (default: all of them). With native products they
                     run onnxruntime's GEMM (the last digits of a score may move with the count,
                     ~1e-15); with --kernel wasm they are pair workers, for big runs (identical
                     numbers whatever the count)
  --kernel <k>       what computes the big float64 products (Gram matrices, solves): native
                     (default; onnxruntime-node's GEMM, with the CPU's widest vectors) or wasm
                     (the page's WebAssembly SIMD kernel); scores agree to about 1e-14
Exit status: 0 on success, 2 on bad input (with a one-line reason on standard error), 1 otherwise.`;

const VALUE_FLAGS = [
  '--model',
  '--text',
  '--input',
  '--reference',
  '--dtype',
  '--out',
  '--dump-hidden',
  '--window',
  '--threads',
  '--kernel',
] as const;
const BOOLEAN_FLAGS = ['--corpus', '--no-reference', '--exclude-bos', '--exclude-massive'] as const;

const bad = (message: string) => new LinScopeError('BAD_INPUT', message);

export function parseArgs(argv: readonly string[]): AnalyzeArgs | { command: 'help' } {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')
    return { command: 'help' };
  if (argv[0] !== 'analyze') throw bad(`unknown command "${argv[0]}" (the command is "analyze"; see --help)`);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if ((VALUE_FLAGS as readonly string[]).includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined) throw bad(`${arg} needs a value`);
      if (values.has(arg)) throw bad(`${arg} given twice`);
      values.set(arg, value);
      i++;
    } else if ((BOOLEAN_FLAGS as readonly string[]).includes(arg)) {
      flags.add(arg);
    } else {
      throw bad(`unknown option "${arg}" (see --help)`);
    }
  }
  const model = values.get('--model');
  if (!model) throw bad('--model is required (a model folder or a Hub id)');
  const text = values.get('--text') ?? null;
  const input = values.get('--input') ?? null;
  if ((text === null) === (input === null)) throw bad('give exactly one of --text and --input');
  const dtype = values.get('--dtype') ?? 'fp32';
  if (!(MODEL_DTYPES as readonly string[]).includes(dtype))
    throw bad(`--dtype ${dtype} is not one of ${MODEL_DTYPES.join(', ')}`);
  const windowValue = values.get('--window');
  const window = windowValue === undefined ? null : Number(windowValue);
  if (window !== null && (!Number.isInteger(window) || window < 2))
    throw bad(`--window must be an integer >= 2, got ${windowValue}`);
  const threadsValue = values.get('--threads');
  const threads = threadsValue === undefined ? null : Number(threadsValue);
  if (threads !== null && (!Number.isInteger(threads) || threads < 1 || threads > 256))
    throw bad(`--threads must be an integer from 1 to 256, got ${threadsValue}`);
  const kernel = values.get('--kernel') ?? 'native';
  if (!(PRODUCT_KERNELS as readonly string[]).includes(kernel))
    throw bad(`--kernel must be one of ${PRODUCT_KERNELS.join(', ')}, got ${kernel}`);
  if (flags.has('--no-reference') && values.has('--reference'))
    throw bad('--reference and --no-reference exclude each other');
  return {
    command: 'analyze',
    model,
    text,
    input,
    corpus: flags.has('--corpus'),
    reference: values.get('--reference') ?? null,
    noReference: flags.has('--no-reference'),
    dtype: dtype as ModelDtype,
    out: values.get('--out') ?? null,
    dumpHidden: values.get('--dump-hidden') ?? null,
    excludeBos: flags.has('--exclude-bos'),
    excludeMassive: flags.has('--exclude-massive'),
    window,
    threads,
    kernel: kernel as ProductKernel,
  };
}
