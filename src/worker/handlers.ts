/**
 * What the worker does for each request, as plain async functions over a `WorkerHost`, so that they
 * run without a worker (tests call them in Node). `serve.ts` turns messages into calls and back.
 */
import type { LayerPairRecord } from '../analysis';
import { LinScopeError } from '../errors';
import { type JobOutput, runAnalyzeJob } from '../job/analyze';
import type { ReferenceCorpus } from '../job/corpus';
import type { FittedReference } from '../job/fittedReference';
import { runLinearizeJob } from '../job/linearize';
import { loadedModel, loadModel, prepareModel } from '../job/modelCache';
import type { JobProgress, ProgressPlan } from '../job/progress';
import { prepareReferenceFit } from '../job/referenceAhead';
import { analysisFitKeyParts } from '../job/referenceFit';
import type { ResultFirstView, ResultHead, ResultLinearize, ResultRuntime, ResultTail } from '../job/result';
import { bundledReferenceFile } from '../model/catalog';
import { reportedDeviceMemoryGb } from '../model/deviceMemory';
import type { ModelSpec } from '../model/hiddenStateModel';
import { convertLlama2c } from '../model/llama2c/convert';
import { DamagedModelFile } from '../model/loadFailure';
import { countTokens, loadModelConfig, type TokenCount } from '../model/tokenCount';
import { checkImportSizes, type ImportedResult, importFiles } from '../share/fileImport';
import { checkFitFileSize, importFitFile, setAsideFitNote } from '../share/fitImport';
import { hiddenStatesFile } from '../share/hiddenStatesFile';
import type { HostRuntime, WorkerHost } from './host';
import type {
  AnalyzeRequest,
  BackendChoice,
  BackendInfo,
  FitImportRequest,
  ImportRequest,
  LinearizeRequest,
  ModelRequest,
  ReferenceAheadRequest,
  UserFile,
} from './protocol';
import { tabStateBytes } from './tabStateBudget';

export interface AnalyzeHooks {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  onStarted?: (head: ResultHead) => void;
  onPair?: (record: LayerPairRecord) => void;
  onPlan?: (plan: ProgressPlan) => void;
  onFirstView?: (firstView: ResultFirstView) => void;
  onReferenceView?: (tail: ResultTail) => void;
  /** A fit opened from a file is set aside for the model's weights: what the page says (`setAsideFitNote`). */
  onFitSetAside?: (note: string) => void;
}

export interface WorkerHandlers {
  probe(choice: BackendChoice, assetBase: string): Promise<BackendInfo>;
  analyze(request: AnalyzeRequest, hooks: AnalyzeHooks): Promise<JobOutput>;
  linearize(
    request: LinearizeRequest,
    hooks: Pick<AnalyzeHooks, 'signal' | 'onProgress' | 'onFitSetAside'> & {
      onPartial?: (partial: ResultLinearize) => void;
    },
  ): Promise<ResultLinearize>;
  countTokens(model: ModelRequest, texts: string[]): Promise<TokenCount>;
  /**
   * Loads the model and warms it up before any job asks for it (`prepareModel`), from what the page
   * already has: never from the Hub, and not while a job runs (it could be downloading). Whether the
   * model is ready.
   */
  loadAhead(model: ModelRequest): Promise<boolean>;
  /**
   * Fits the reference the next analysis would use, on the model loaded ahead, in the background
   * (`prepareReferenceFit`). Whether the fit is in the store; false where it is not made ahead: while
   * a job runs, on a software GPU (where it would take minutes of CPU), for the model's own text, or
   * when that model is not the one loaded. Stopped by `signal`, an opened fit file or an experiment.
   */
  prepareReference(
    request: ReferenceAheadRequest,
    hooks: Pick<AnalyzeHooks, 'signal' | 'onProgress' | 'onFitSetAside'>,
  ): Promise<boolean>;
  openFolder(name: string, files: UserFile[]): Promise<string>;
  openLlama2c(name: string, checkpoint: Blob, tokenizer: Blob): Promise<string>;
  /** Greedy continuation: a quick way to see that a model is sane (and to test conversions). */
  generate(
    model: ModelRequest,
    prompt: string,
    maxNewTokens: number,
  ): Promise<{ text: string; ids: number[] }>;
  /** The hidden states of the last analysis as a safetensors file. */
  exportHidden(): Uint8Array;
  /** Files opened as a result: stats files reduced, or hidden states analysed. */
  importFiles(request: ImportRequest, hooks: AnalyzeHooks): Promise<ImportedResult>;
  /** A reference fit file checked and stored for the next analysis; what the page says. */
  importFit(request: FitImportRequest): Promise<string>;
}

/** What a result records of the backend the worker probed. */
function resultRuntime(info: BackendInfo): ResultRuntime {
  return { backend: info.backend, adapter: info.adapter, onnxruntime: info.ortVersion };
}

/** A timer task: the worker's message queue (a Cancel) is read before the job goes on. */
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function createHandlers(host: WorkerHost): WorkerHandlers {
  /** The arrays of the last analysis, kept for `exportHidden`. */
  let lastOutput: JobOutput | null = null;
  /** The backend every request runs on, once probed. */
  let backend: BackendInfo | null = null;

  /** A damaged model file is not kept: its cached download is forgotten, so a retry fetches it again. */
  async function forgettingDamaged<T>(
    rt: HostRuntime,
    model: ModelRequest,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DamagedModelFile) await rt.files.forget?.(model.spec.id).catch(() => undefined);
      throw error;
    }
  }

  /** Jobs that may load (and download) a model, running now: `loadAhead` stays out of their way. */
  let jobsRunning = 0;
  async function asJob<T>(run: () => Promise<T>): Promise<T> {
    jobsRunning++;
    try {
      return await run();
    } finally {
      jobsRunning--;
    }
  }

  /** The request's model, from the Hub only where the page allows it (its files: config, tokenizer). */
  const withHub = (model: ModelRequest) => ({ ...model.spec, hub: model.allowHub });
  /** The model as this worker loads it: that, on its device. */
  const onDevice = (model: ModelRequest): ModelSpec => ({ ...withHub(model), device: host.device() });

  /**
   * What every job here runs with: the host's fit store and pair workers, and a word to the page
   * (`onFitSetAside`) when a fit the user opened is set aside for model `modelId`'s weights.
   */
  const jobControl = (
    threads: number | undefined,
    modelId: string,
    onFitSetAside: ((note: string) => void) | undefined,
  ) => ({
    onOtherWeights: (stored: FittedReference, weights: string) => {
      const note = setAsideFitNote(stored, weights, modelId);
      if (note !== null) onFitSetAside?.(note);
    },
    // A timer task between model runs lets the worker read a Cancel message meanwhile.
    yieldToEvents,
    // A text whose states a tab cannot hold is refused before it runs, not by a failed allocation.
    maxStateBytes: tabStateBytes(reportedDeviceMemoryGb()),
    fitStore: host.fitStore,
    pairWorkers: host.pairWorkers(threads),
  });

  /** Reference fits being made ahead: an opened fit file or an experiment stops them. */
  const fitsAhead = new Set<AbortController>();
  const stopFitsAhead = () => {
    for (const controller of fitsAhead) controller.abort();
  };

  /** The request's reference corpus, the bundled one read for its model. */
  async function referenceOf<R extends ReferenceCorpus | null>(request: {
    model: ModelRequest;
    reference: R | 'bundled';
  }): Promise<R | ReferenceCorpus> {
    return request.reference === 'bundled'
      ? host.bundledReference(bundledReferenceFile(request.model.spec.id))
      : request.reference;
  }

  /**
   * The runtime, allowed the Hub from the first request that may use it on. Each load says for
   * itself whether it may (`ModelSpec.hub`, hubAccess.ts): the runtime's switch is never turned off
   * again, which would reach the loads of other requests still under way.
   */
  async function prepare(model: ModelRequest): Promise<HostRuntime> {
    const rt = await host.runtime();
    if (model.allowHub) rt.transformers.env.allowRemoteModels = true;
    return rt;
  }

  return {
    async probe(choice, assetBase) {
      backend = await host.probe(choice, assetBase);
      return backend;
    },

    analyze(request, hooks) {
      return asJob(async () => {
        const rt = await prepare(request.model);
        const reference = await referenceOf(request);
        lastOutput = null;
        lastOutput = await forgettingDamaged(rt, request.model, () =>
          runAnalyzeJob(
            rt,
            {
              model: onDevice(request.model),
              texts: request.texts,
              settings: request.settings,
              reference,
              runtime: backend ? resultRuntime(backend) : undefined,
              referenceTokensPerDim: request.referenceTokensPerDim,
            },
            { ...hooks, ...jobControl(request.threads, request.model.spec.id, hooks.onFitSetAside) },
          ),
        );
        return lastOutput;
      });
    },

    linearize(request, hooks) {
      // The experiment runs sessions of its own and fits its maps itself: a fit made ahead gives way.
      stopFitsAhead();
      return asJob(async () => {
        const rt = await prepare(request.model);
        const reference = await referenceOf(request);
        return forgettingDamaged(rt, request.model, () =>
          runLinearizeJob(
            rt,
            {
              model: onDevice(request.model),
              texts: request.texts,
              settings: request.settings,
              reference,
              maps: request.maps,
              runs: request.runs,
              sweep: request.sweep,
              continuation: request.continuation,
            },
            { ...hooks, ...jobControl(request.threads, request.model.spec.id, hooks.onFitSetAside) },
          ),
        );
      });
    },

    async countTokens(model, texts) {
      return countTokens(await prepare(model), withHub(model), texts);
    },

    async loadAhead(model) {
      if (jobsRunning > 0) return false;
      const rt = await host.runtime();
      if (jobsRunning > 0) return false;
      // Only from files the page already has: a download is for a job to start.
      return prepareModel(rt, { ...onDevice(model), hub: false });
    },

    async prepareReference(request, hooks) {
      if (jobsRunning > 0 || backend?.softwareAdapter === true) return false;
      const controller = new AbortController();
      const signal = hooks.signal ? AbortSignal.any([hooks.signal, controller.signal]) : controller.signal;
      fitsAhead.add(controller);
      try {
        const reference = await referenceOf(request);
        return await prepareReferenceFit(
          {
            model: onDevice(request.model),
            reference,
            settings: request.settings,
            referenceTokensPerDim: request.referenceTokensPerDim,
          },
          {
            signal,
            onProgress: hooks.onProgress,
            ...jobControl(request.threads, request.model.spec.id, hooks.onFitSetAside),
          },
        );
      } finally {
        fitsAhead.delete(controller);
      }
    },

    async openFolder(name, files) {
      const rt = await host.runtime();
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
    },

    async openLlama2c(name, checkpoint, tokenizer) {
      const rt = await host.runtime();
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
    },

    generate(model, prompt, maxNewTokens) {
      return asJob(async () => {
        const rt = await prepare(model);
        const loaded = await forgettingDamaged(rt, model, () => loadModel(rt, onDevice(model)));
        const ids = await loaded.generate(prompt, maxNewTokens);
        return { ids, text: loaded.decode(ids) };
      });
    },

    async importFiles(request, hooks) {
      // Sizes first: nothing too big is read into memory.
      checkImportSizes(request.files.map((f) => ({ name: f.name, size: f.file.size })));
      const files: { name: string; bytes: Uint8Array }[] = [];
      for (const f of request.files) {
        hooks.signal?.throwIfAborted();
        files.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
      }
      return importFiles(files, request.settings, {
        ...hooks,
        pairWorkers: host.pairWorkers(request.threads),
      });
    },

    async importFit(request) {
      const { file, model } = request;
      // Size first: nothing too big is read into memory.
      checkFitFileSize(file.name, file.file.size);
      // The file is the fit the user chose: one being made ahead is not needed.
      stopFitsAhead();
      const rt = await prepare(model);
      const reference = await referenceOf(request);
      const config = await loadModelConfig(rt, withHub(model));
      const parts = analysisFitKeyParts(
        onDevice(model),
        config,
        reference,
        request.settings,
        request.referenceTokensPerDim,
      );
      const bytes = new Uint8Array(await file.file.arrayBuffer());
      // Where the model is loaded, its weights are compared now (otherwise when an analysis loads it).
      const weights = (await loadedModel(onDevice(model)))?.weights;
      return importFitFile(bytes, file.name, { parts, config, weights }, host.fitStore);
    },

    exportHidden() {
      if (!lastOutput)
        throw new LinScopeError('BAD_INPUT', 'There are no hidden states yet: run an analysis first.');
      return hiddenStatesFile(lastOutput);
    },
  };
}
