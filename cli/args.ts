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
  /** Fit the per-token maps on the model's own seeded samples (the page's "The model's own text"). */
  ownTextReference: boolean;
  dtype: ModelDtype;
  out: string | null;
  dumpHidden: string | null;
  excludeBos: boolean;
  excludeMassive: boolean;
  /** TwoNN intrinsic dimension per state (the page's "Intrinsic dimension" setting; off by default). */
  intrinsicDimension: boolean;
  window: number | null;
  /** Cores for the analysis: native GEMM threads, or pair workers with --kernel wasm (null: every core). */
  threads: number | null;
  /** What runs the big float64 products: onnxruntime-node's native GEMM, or the page's WebAssembly kernel. */
  kernel: ProductKernel;
  /** Where to write the reference fit (`linscope.fit/v1`), or null. */
  saveFit: string | null;
  /** A fit file to use instead of fitting the reference (refused when made for other inputs), or null. */
  loadFit: string | null;
}

/** `linscope stats`: one corpus shard's layer moments, as a stats file (docs/scale-out.md). */
export interface StatsArgs {
  command: 'stats';
  model: string;
  text: string | null;
  input: string | null;
  corpus: boolean;
  dtype: ModelDtype;
  out: string;
  excludeBos: boolean;
  window: number | null;
}

/** `linscope reduce`: stats files merged into a result JSON. */
export interface ReduceArgs {
  command: 'reduce';
  files: string[];
  out: string | null;
}

/** `linscope linearize`: the analysis, plus blocks replaced by their maps (or skipped). */
export interface LinearizeArgs extends Omit<AnalyzeArgs, 'command'> {
  command: 'linearize';
  /** Blocks linearized together in one run (with `skip`), or none. */
  layers: number[];
  skip: number[];
  map: 'reference' | 'self';
  sweep: boolean;
  /** Greedy continuation tokens per run (0: none). */
  continuation: number;
}

export const PRODUCT_KERNELS = ['native', 'wasm'] as const;
export type ProductKernel = (typeof PRODUCT_KERNELS)[number];

export const USAGE = `Usage:
  linscope analyze --model <folder | hub-id> (--text "<prompt>" | --input <file>)
                   [--reference <file.txt> | --own-text-reference | --no-reference]
                   [--dtype fp32|q8|fp16|q4|q4f16] [--out result.json] [--dump-hidden hidden.safetensors]
                   [--corpus] [--exclude-bos] [--exclude-massive] [--intrinsic-dimension]
                   [--window <tokens>] [--threads <n>] [--kernel native|wasm]
                   [--save-fit <fit.safetensors>] [--load-fit <fit.safetensors>]

  --input <file>     a .txt file (one text), or with --corpus a .txt of blank-line separated
                     documents or a .jsonl file (one {"text": ...} or string per line)
  --reference <file> text the per-token maps are fitted on (default: the bundled public-domain corpus)
  --own-text-reference
                     fit them on samples the model writes itself (temperature 1, seed 1) instead:
                     its own distribution, made first (slow for big models; docs/analysis.md)
  --out <file>       where the result JSON goes (default: standard output)
  --dump-hidden <f>  also write hidden_states [L+1, T, d], last_block_output [T, d], input_ids [T]
  --window <tokens>  longest window run at once (default: the model's context, at most 1024)
  --exclude-bos      leave every document's BOS out of fits and statistics (each token run at
                     position 0: a document's first token; without a BOS, each window's first)
  --exclude-massive  leave massive-norm tokens (attention sinks) out
  --intrinsic-dimension
                     TwoNN intrinsic dimension per state, states[].intrinsicDimension (null
                     without it): O(n^2 d) per state, on the first 4096 kept tokens, repeated
                     rows dropped first (docs/analysis.md)
  --threads <n>      cores for the analysis (default: all of them). With native products they
                     run onnxruntime's GEMM (the last digits of a score may move with the count,
                     ~1e-15); with --kernel wasm they are pair workers, for big runs (identical
                     numbers whatever the count)
  --kernel <k>       what computes the big float64 products (Gram matrices, solves): native
                     (default; onnxruntime-node's GEMM, with the CPU's widest vectors) or wasm
                     (the page's WebAssembly SIMD kernel); scores agree to about 1e-14
  --save-fit <file>  also write the reference fit (the maps of every layer pair, float64) to a file
  --load-fit <file>  use a fit written by --save-fit instead of running and fitting the reference;
                     refused (exit 2) when it was made for another model, dtype, reference,
                     sampling or settings

  linscope linearize --model <folder | hub-id> (--text "<prompt>" | --input <file>)
                   [--layers 3,5] [--skip 2] [--sweep] [--map reference|self] [--continue <tokens>]
                   and the options of analyze

  The paper's replacement experiment: blocks replaced by their affine maps (--layers) or skipped
  (--skip), together in one run; --sweep runs every block alone (linearized, skipped) and the
  cumulative curve (most linear first). Writes the analysis result with a "linearize" section
  (docs/linearize.md): loss, perplexity, top-1 changes and KL against the original model.
  --map <m>          maps fitted on the reference corpus (default; out of sample) or on the text
                     itself (self; in sample, needs more tokens than the hidden size)
  --continue <n>     greedy continuations of the text, n tokens, for the original and each run

  linscope stats --model <folder | hub-id> (--text "<text>" | --input <file>) --out <part.safetensors>
                   [--corpus] [--exclude-bos] [--window <tokens>] [--dtype ...]
  linscope reduce <part.safetensors> [<part.safetensors> ...] [--out result.json]

  stats writes one shard's layer moments (linscope.stats/v1, float64); reduce merges any number of
  them, from LinScope or from tools/stats_recipe.py on a GPU, into the result JSON of analyze
  (per-layer scores, n, d, chance floor; nothing per token). Shards must come from the same model,
  window length and BOS setting (docs/scale-out.md).

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
  '--save-fit',
  '--load-fit',
] as const;
const BOOLEAN_FLAGS = [
  '--corpus',
  '--no-reference',
  '--own-text-reference',
  '--exclude-bos',
  '--exclude-massive',
  '--intrinsic-dimension',
] as const;
const LINEARIZE_VALUE_FLAGS = ['--layers', '--skip', '--map', '--continue'] as const;
const LINEARIZE_BOOLEAN_FLAGS = ['--sweep'] as const;

/** "3,5" -> [3, 5]: block indices, non-negative integers, each once. */
function blockList(flag: string, value: string | undefined): number[] {
  if (value === undefined) return [];
  const blocks = value.split(',').map((part) => part.trim());
  const out: number[] = [];
  for (const part of blocks) {
    const n = Number(part);
    if (part === '' || !Number.isInteger(n) || n < 0)
      throw bad(`${flag} takes block numbers like 3,5; got "${value}"`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

const bad = (message: string) => new LinScopeError('BAD_INPUT', message);

const COMMANDS = ['analyze', 'linearize', 'stats', 'reduce'] as const;

export function parseArgs(
  argv: readonly string[],
): AnalyzeArgs | LinearizeArgs | StatsArgs | ReduceArgs | { command: 'help' } {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')
    return { command: 'help' };
  const command = argv[0];
  if (command === 'reduce') return parseReduce(argv.slice(1));
  if (!(COMMANDS as readonly string[]).includes(command))
    throw bad(`unknown command "${command}" (the commands are ${COMMANDS.join(', ')}; see --help)`);
  const linearize = command === 'linearize';
  const valueFlags: readonly string[] = linearize ? [...VALUE_FLAGS, ...LINEARIZE_VALUE_FLAGS] : VALUE_FLAGS;
  const booleanFlags: readonly string[] = linearize
    ? [...BOOLEAN_FLAGS, ...LINEARIZE_BOOLEAN_FLAGS]
    : BOOLEAN_FLAGS;
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (valueFlags.includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined) throw bad(`${arg} needs a value`);
      if (values.has(arg)) throw bad(`${arg} given twice`);
      values.set(arg, value);
      i++;
    } else if (booleanFlags.includes(arg)) {
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
  const referenceChoices = [
    values.has('--reference') && '--reference',
    flags.has('--no-reference') && '--no-reference',
    flags.has('--own-text-reference') && '--own-text-reference',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (referenceChoices.length > 1) throw bad(`${referenceChoices.join(' and ')} exclude each other`);
  const common = {
    model,
    text,
    input,
    corpus: flags.has('--corpus'),
    reference: values.get('--reference') ?? null,
    noReference: flags.has('--no-reference'),
    ownTextReference: flags.has('--own-text-reference'),
    dtype: dtype as ModelDtype,
    out: values.get('--out') ?? null,
    dumpHidden: values.get('--dump-hidden') ?? null,
    excludeBos: flags.has('--exclude-bos'),
    excludeMassive: flags.has('--exclude-massive'),
    intrinsicDimension: flags.has('--intrinsic-dimension'),
    window,
    threads,
    kernel: kernel as ProductKernel,
    saveFit: values.get('--save-fit') ?? null,
    loadFit: values.get('--load-fit') ?? null,
  };
  if (flags.has('--no-reference') && (common.saveFit !== null || common.loadFit !== null))
    throw bad('--save-fit and --load-fit need a reference: drop --no-reference');
  if (command === 'stats') {
    if (common.out === null) throw bad('--out is required (the stats file to write)');
    for (const flag of [
      '--reference',
      '--no-reference',
      '--own-text-reference',
      '--dump-hidden',
      '--exclude-massive',
      '--intrinsic-dimension',
      '--threads',
      '--kernel',
      '--save-fit',
      '--load-fit',
    ])
      if (values.has(flag) || flags.has(flag)) throw bad(`${flag} does not apply to stats`);
    return {
      command: 'stats',
      model: common.model,
      text: common.text,
      input: common.input,
      corpus: common.corpus,
      dtype: common.dtype,
      out: common.out,
      excludeBos: common.excludeBos,
      window: common.window,
    };
  }
  if (!linearize) return { command: 'analyze', ...common };
  const layers = blockList('--layers', values.get('--layers'));
  const skip = blockList('--skip', values.get('--skip'));
  const both = layers.find((l) => skip.includes(l));
  if (both !== undefined) throw bad(`block ${both} is in both --layers and --skip`);
  const sweep = flags.has('--sweep');
  if (layers.length + skip.length === 0 && !sweep) throw bad('give --layers, --skip or --sweep (see --help)');
  const map = values.get('--map') ?? 'reference';
  if (map !== 'reference' && map !== 'self') throw bad(`--map must be reference or self, got ${map}`);
  if (map === 'reference' && common.noReference)
    throw bad('--map reference needs a reference corpus: drop --no-reference, or use --map self');
  const continueValue = values.get('--continue');
  const continuation = continueValue === undefined ? 0 : Number(continueValue);
  if (!Number.isInteger(continuation) || continuation < 0 || continuation > 512)
    throw bad(`--continue must be an integer from 0 to 512, got ${continueValue}`);
  return { command: 'linearize', ...common, layers, skip, map, sweep, continuation };
}

function parseReduce(argv: readonly string[]): ReduceArgs | { command: 'help' } {
  const files: string[] = [];
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (arg === '--out') {
      const value = argv[i + 1];
      if (value === undefined) throw bad('--out needs a value');
      if (out !== null) throw bad('--out given twice');
      out = value;
      i++;
    } else if (arg.startsWith('--')) {
      throw bad(`unknown option "${arg}" for reduce (see --help)`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw bad('give the stats files to reduce (linscope reduce part-*.safetensors)');
  return { command: 'reduce', files, out };
}
