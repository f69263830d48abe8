/**
 * `linscope analyze`: the browser's analysis, in Node, on the same job core (src/job/analyze.ts).
 * Writes the result JSON (docs/result-json.md) and, on request, the hidden states as safetensors.
 * Exit 0 on success, 2 on bad input with a one-line reason, 1 on anything else; never a half-written file.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INPUT_ERROR_CODES, LinScopeError } from '../src/errors';
import { type AnalyzeJob, runAnalyzeJob } from '../src/job/analyze';
import { isJsonlName, modelTextReference, type ReferenceCorpus, splitCorpus } from '../src/job/corpus';
import { runLinearizeJob } from '../src/job/linearize';
import type { JobProgress } from '../src/job/progress';
import { assembleResult } from '../src/job/result';
import { DEFAULT_SETTINGS } from '../src/job/settings';
import { runStatsJob } from '../src/job/stats';
import type { LinScopeRuntime } from '../src/model/augmentingRuntime';
import { bundledReferenceFile } from '../src/model/catalog';
import { DamagedModelFile } from '../src/model/loadFailure';
import {
  nodeOrtVersion,
  nodeRuntime,
  readModelsFromFolder,
  readModelsFromHub,
} from '../src/model/nodeRuntime';
import { hiddenStatesFile } from '../src/share/hiddenStatesFile';
import { serializeResult } from '../src/share/resultJson';
import { reduceStatsFiles, writeStatsFile } from '../src/share/statsFile';
import { installAnalysisCores } from './analysisCores';
import {
  type AnalyzeArgs,
  type LinearizeArgs,
  parseArgs,
  type ReduceArgs,
  type StatsArgs,
  USAGE,
} from './args';
import { checkOutputs, type NamedFile, readBinaryFile, readTextFile, writeOutput } from './files';
import { fitFileStore } from './fitFiles';
import { commandLineMessage } from './messages';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** LinScope's reference corpora; `bundledReferenceFile` picks the one of a model's domain. */
export const BUNDLED_REFERENCES = join(ROOT, 'public/corpus');

const bad = (message: string) => new LinScopeError('BAD_INPUT', message);

/** The named files among `files` (options not given are null). */
function given(files: Record<string, string | null>): NamedFile[] {
  return Object.entries(files).flatMap(([option, path]) => (path === null ? [] : [{ option, path }]));
}

function inputTexts(args: AnalyzeArgs | LinearizeArgs | StatsArgs): string[] {
  if (args.text !== null) return args.corpus ? splitCorpus(args.text, 'the text') : [args.text];
  const content = readTextFile(args.input as string, 'input file');
  return args.corpus || isJsonlName(args.input as string)
    ? splitCorpus(content, args.input as string)
    : [content];
}

function referenceCorpus(args: AnalyzeArgs | LinearizeArgs): ReferenceCorpus | null {
  if (args.noReference) return null;
  if (args.ownTextReference) return modelTextReference();
  const path =
    args.reference ?? join(BUNDLED_REFERENCES, bundledReferenceFile(basename(resolve(args.model))));
  const texts = splitCorpus(readTextFile(path, 'reference file'), path);
  if (texts.length === 0) throw bad(`reference file ${path} holds no text: give a corpus to fit the maps on`);
  return { source: args.reference ? 'user' : 'bundled', name: basename(path), texts };
}

/**
 * The runtime, set to find `model`: a folder on disk is read from there; anything else is a Hub id
 * (needs the network). Returns the id transformers.js knows the model by.
 */
async function openModel(model: string): Promise<{ rt: LinScopeRuntime; id: string }> {
  const rt = await nodeRuntime();
  if (existsSync(model)) {
    const folder = resolve(model);
    try {
      accessSync(folder, constants.R_OK | constants.X_OK);
    } catch {
      throw bad(`${model} cannot be read (permission denied): give yourself read access to the model folder`);
    }
    if (!existsSync(join(folder, 'config.json')))
      throw bad(`${model} has no config.json: not a transformers.js model folder`);
    readModelsFromFolder(rt, dirname(folder));
    // By its absolute path: transformers.js takes a name only if it reads as a Hub id, and looks
    // anything else up from the working directory (a folder named "my model" or "gpt2 (copy)").
    return { rt, id: folder };
  }
  readModelsFromHub(rt);
  return { rt, id: model };
}

async function analyze(args: AnalyzeArgs | LinearizeArgs): Promise<void> {
  checkOutputs(
    given({ '--out': args.out, '--dump-hidden': args.dumpHidden, '--save-fit': args.saveFit }),
    given({ '--input': args.input, '--reference': args.reference, '--load-fit': args.loadFit }),
    // A fit loaded and saved back to its own file is the same fit.
    [['--load-fit', '--save-fit']],
  );
  const texts = inputTexts(args);
  if (texts.every((t) => t.trim() === '')) throw bad('the text is empty');
  const reference = referenceCorpus(args);
  const { rt, id } = await openModel(args.model);
  const linearize = args.command === 'linearize' ? args : null;
  const job: AnalyzeJob = {
    // One load serves both: the block-replacement session is built with the model when needed.
    model: { id, dtype: args.dtype, device: 'cpu', blockReplacement: linearize !== null },
    texts,
    settings: {
      ...DEFAULT_SETTINGS,
      excludeBos: args.excludeBos,
      excludeMassive: args.excludeMassive,
      intrinsicDimension: args.intrinsicDimension,
      maxWindow: args.window ?? DEFAULT_SETTINGS.maxWindow,
    },
    reference,
    runtime: { backend: 'cpu', adapter: null, onnxruntime: nodeOrtVersion() },
  };
  const cores = installAnalysisCores(args.threads, args.kernel);
  if (cores.fallback)
    process.stderr.write(`linscope: native products unavailable (${cores.fallback}); using WebAssembly\n`);
  const onProgress = (p: JobProgress) => {
    if (!process.stderr.isTTY) return;
    if (p.stage === 'forward') process.stderr.write(`\r${p.of} window ${p.window}/${p.windows}   `);
    else if (p.stage === 'replace') process.stderr.write(`\rreplaced-block runs ${p.done}/${p.total}   `);
  };
  const fitStore = fitFileStore(
    { load: args.loadFit, save: args.saveFit, modelName: { job: id, file: statsModelId(args.model) } },
    (path, bytes) => writeOutput(path, bytes, '--save-fit'),
  );
  const output = await runAnalyzeJob(rt, job, { pairWorkers: cores.pairWorkers, onProgress, fitStore });
  const experiment = linearize
    ? await runLinearizeJob(
        rt,
        {
          ...job,
          maps: linearize.map,
          runs:
            linearize.layers.length + linearize.skip.length > 0
              ? [{ linear: linearize.layers, skip: linearize.skip }]
              : [],
          sweep: linearize.sweep,
          continuation: linearize.continuation,
        },
        { pairWorkers: cores.pairWorkers, onProgress, fitStore },
      )
    : null;
  // The result names the model as the user did (a folder path or a Hub id).
  const head = { ...output.head, model: { ...output.head.model, id: args.model } };
  if (process.stderr.isTTY) process.stderr.write('\r');
  if (args.dumpHidden) writeOutput(args.dumpHidden, hiddenStatesFile({ ...output, head }), '--dump-hidden');
  const result = assembleResult(head, output.tail);
  const json = serializeResult(experiment ? { ...result, linearize: experiment } : result);
  if (args.out) writeOutput(args.out, json, '--out');
  else process.stdout.write(json);
}

/**
 * How a stats file names its model, so that shards made from the same folder by different paths (or
 * by tools/stats_recipe.py) merge: a folder's last two path parts (`org/name`), else the Hub id.
 */
function statsModelId(model: string): string {
  return existsSync(model) ? resolve(model).split(/[\\/]/).filter(Boolean).slice(-2).join('/') : model;
}

async function stats(args: StatsArgs): Promise<void> {
  checkOutputs(given({ '--out': args.out }), given({ '--input': args.input }));
  const texts = inputTexts(args);
  if (texts.every((t) => t.trim() === '')) throw bad('the text is empty');
  const { rt, id } = await openModel(args.model);
  const shard = await runStatsJob(rt, {
    model: { id, dtype: args.dtype, device: 'cpu' },
    texts,
    excludeBos: args.excludeBos,
    maxWindow: args.window ?? DEFAULT_SETTINGS.maxWindow,
  });
  writeOutput(
    args.out,
    writeStatsFile({ ...shard, model: { ...shard.model, id: statsModelId(args.model) } }),
    '--out',
  );
}

function reduce(args: ReduceArgs): void {
  const inputs = args.files.map((path) => ({ option: 'stats file', path }));
  checkOutputs(given({ '--out': args.out }), inputs);
  // A shard counted twice would double its tokens and shrink every chance floor: refused.
  const seen = new Map<string, string>();
  const parts = args.files.map((file) => {
    const bytes = readBinaryFile(file, 'stats file');
    const digest = createHash('sha256').update(bytes).digest('hex');
    const twin = seen.get(digest);
    if (twin !== undefined)
      throw bad(
        twin === file
          ? `stats file ${file} is given twice: each shard counts once`
          : `stats files ${twin} and ${file} hold the same statistics (one shard, copied?): each shard counts once`,
      );
    seen.set(digest, file);
    return { name: basename(file), bytes };
  });
  const json = serializeResult(reduceStatsFiles(parts));
  if (args.out) writeOutput(args.out, json, '--out');
  else process.stdout.write(json);
}

let pipeWatched = false;

/**
 * A reader that stops early (`linscope analyze ... | head`) closes the pipe: the rest of the output
 * has nowhere to go, and that is not an error.
 */
function endQuietlyOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`linscope: cannot write the output: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? 0 : 1);
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (args.command === 'stats') await stats(args);
    else if (args.command === 'reduce') reduce(args);
    else await analyze(args);
    return 0;
  } catch (error) {
    // LinScope's own errors say what went wrong in their first line; anything else keeps its stack.
    if (error instanceof LinScopeError && error.code !== 'INTERNAL') {
      // Damaged weights were being loaded: the runtime is there, with the Hub's download cache.
      const hubCache =
        error instanceof DamagedModelFile ? (await nodeRuntime()).transformers.env.cacheDir : null;
      process.stderr.write(`linscope: ${commandLineMessage(error, hubCache)}\n`);
      return INPUT_ERROR_CODES.has(error.code) ? 2 : 1;
    }
    process.stderr.write(
      `linscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
