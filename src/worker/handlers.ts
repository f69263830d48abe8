/**
 * What the worker does for each request, as plain async functions over a runtime, so they can be
 * called without a worker. `entry.ts` only wires messages to them.
 */
import { LinScopeError } from '../errors';
import { convertLlama2c } from '../model/llama2c/convert';
import { allowHub, type BrowserRuntime, browserRuntime, probeBackend } from '../model/webRuntime';
import { splitCorpus } from '../share/corpusFile';
import type { LinScopeResult } from '../share/result';
import {
  hiddenStatesFile,
  type JobHooks,
  type JobOutput,
  loadModel,
  type ReferenceCorpus,
  runAnalyzeJob,
} from './analyzeJob';
import { browserPairWorkers, browserScoringThreads } from './browserPairWorkers';
import type {
  AnalyzeRequest,
  BackendChoice,
  BackendInfo,
  ModelRequest,
  TokenCount,
  UserFile,
} from './protocol';
import { IndexedDbFitStore } from './referenceFitStore';

let assetBase = '';
let backend: BackendInfo | null = null;

export async function handleProbe(choice: BackendChoice, base: string): Promise<BackendInfo> {
  assetBase = base;
  backend = await probeBackend(choice, base);
  return backend;
}

async function runtime(): Promise<BrowserRuntime> {
  if (!assetBase) throw new LinScopeError('INTERNAL', 'the worker was not probed before use');
  return browserRuntime(assetBase);
}

function device(): 'webgpu' | 'wasm' {
  return backend?.backend ?? 'wasm';
}

async function bundledReference(): Promise<ReferenceCorpus> {
  const url = new URL('corpus/reference-en.txt', assetBase).href;
  const response = await fetch(url);
  if (!response.ok)
    throw new LinScopeError(
      'INTERNAL',
      `the bundled reference corpus is missing (${response.status} for ${url})`,
    );
  return {
    source: 'bundled',
    name: 'reference-en.txt',
    texts: splitCorpus(await response.text(), 'reference-en.txt'),
  };
}

async function prepare(model: ModelRequest): Promise<BrowserRuntime> {
  const rt = await runtime();
  allowHub(rt, model.allowHub);
  return rt;
}

/** Reference fits survive reloads: they are the slow part of a first run. */
const fitStore = new IndexedDbFitStore();

/** The arrays of the last analysis, kept for `export-hidden`. */
let lastOutput: JobOutput | null = null;

export async function handleAnalyze(request: AnalyzeRequest, hooks: JobHooks): Promise<LinScopeResult> {
  const rt = await prepare(request.model);
  const reference = request.reference === 'bundled' ? await bundledReference() : request.reference;
  lastOutput = null;
  lastOutput = await runAnalyzeJob(
    rt,
    {
      model: { ...request.model.spec, device: device() },
      texts: request.texts,
      settings: request.settings,
      reference,
    },
    {
      ...hooks,
      fitStore,
      pairWorkers:
        request.threads === undefined
          ? browserPairWorkers(browserScoringThreads())
          : browserPairWorkers(request.threads, request.threads > 1),
    },
  );
  return lastOutput.result;
}

export function handleExportHidden(): Uint8Array {
  if (!lastOutput)
    throw new LinScopeError('BAD_INPUT', 'There are no hidden states yet: run an analysis first.');
  return hiddenStatesFile(lastOutput);
}

export async function handleCountTokens(model: ModelRequest, texts: string[]): Promise<TokenCount> {
  const rt = await prepare(model);
  const { AutoTokenizer, AutoConfig } = rt.transformers;
  const options = { revision: model.spec.revision ?? 'main' };
  const [tokenizer, config] = await Promise.all([
    AutoTokenizer.from_pretrained(model.spec.id, options),
    AutoConfig.from_pretrained(model.spec.id, options),
  ]);
  const raw = config as unknown as { max_position_embeddings?: number; n_positions?: number; n_ctx?: number };
  const tokens = texts.reduce((sum, text) => sum + (text.trim() ? tokenizer.encode(text).length : 0), 0);
  return { tokens, contextLength: raw.max_position_embeddings ?? raw.n_positions ?? raw.n_ctx ?? null };
}

export async function handleOpenFolder(name: string, files: UserFile[]): Promise<string> {
  const rt = await runtime();
  const paths = new Set(files.map((f) => f.path));
  if (!paths.has('config.json')) {
    throw new LinScopeError(
      'BAD_INPUT',
      'That folder has no config.json. Pick a transformers.js model folder (config.json, tokenizer.json, onnx/model.onnx).',
    );
  }
  if (!paths.has('tokenizer.json'))
    throw new LinScopeError('BAD_INPUT', 'That folder has no tokenizer.json.');
  if (![...paths].some((p) => /^onnx\/model[^/]*\.onnx$/.test(p))) {
    throw new LinScopeError('BAD_INPUT', 'That folder has no onnx/model*.onnx file.');
  }
  return rt.files.register(name, new Map(files.map((f) => [f.path, f.file])));
}

export async function handleOpenLlama2c(name: string, checkpoint: Blob, tokenizer: Blob): Promise<string> {
  const rt = await runtime();
  let converted: ReturnType<typeof convertLlama2c>;
  try {
    converted = convertLlama2c(
      new Uint8Array(await checkpoint.arrayBuffer()),
      new Uint8Array(await tokenizer.arrayBuffer()),
    );
  } catch (error) {
    throw new LinScopeError(
      'BAD_INPUT',
      `Those files are not a llama2.c checkpoint and tokenizer (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  return rt.files.register(name, converted.files);
}

/** Greedy continuation: a quick way to see that a model is sane (and to test conversions). */
export async function handleGenerate(
  model: ModelRequest,
  prompt: string,
  maxNewTokens: number,
): Promise<{ text: string; ids: number[] }> {
  const rt = await prepare(model);
  const loaded = await loadModel(rt, { ...model.spec, device: device() });
  const ids = await loaded.generate(prompt, maxNewTokens);
  return { ids, text: loaded.decode(ids) };
}
