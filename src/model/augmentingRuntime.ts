/**
 * onnxruntime, wrapped so that every session it creates declares each layer's hidden state as an
 * output. transformers.js takes its onnxruntime from `globalThis[Symbol.for('onnxruntime')]` when
 * set before it is imported; the browser and Node entries (`webRuntime.ts`, `nodeRuntime.ts`)
 * install this wrapper there, so graph augmentation is one code path everywhere.
 */
import type * as Ort from 'onnxruntime-web';
import { LinScopeError } from '../errors';
import type { FetchFailures } from './fetchFailures';
import { findHiddenStates, type HiddenStatePlan } from './hiddenStateFinder';
import { DamagedModelFile, type ModelFileProbe } from './loadFailure';
import { type OnnxGraph, readOnnxGraph, readValueInfos } from './onnx/reader';
import { augmentGraph } from './onnx/surgery/augmentGraph';
import { type BlockReplacementInputs, linearizeGraph } from './onnx/surgery/linearizeGraph';
import { buildLogitLens, type LogitLensOutputs } from './onnx/surgery/logitLensGraph';
import { trimmableHead, withLogitsToKeep } from './onnx/surgery/logitsToKeep';
import type { OnnxDim } from './onnx/types';
import { moveWeightsOutOfLine, withWeightsOutOfLine } from './onnx/weightsOutOfLine';
import { bytesFile, type FingerprintFile, weightsFingerprint } from './weightsFingerprint';
import { type CacheElementType, type CacheShape, type DeclaredDims, emptyCacheFeeds } from './windowFeeds';

export type OrtModule = typeof Ort;

/**
 * What LinScope asks of the sessions of one model load. It travels with that load, inside the
 * session options transformers.js passes through to `InferenceSession.create` unchanged
 * (`withAugmentationRequest`), so two loads that overlap in one runtime (a model loading ahead while
 * another is picked; a fresh worker sent both again) each get their own: as fields of the runtime,
 * set before each load, the later load's settings reached the earlier load's sessions.
 */
export interface AugmentationRequest {
  /** `num_hidden_layers` from the model's config.json, which its graph must agree with. */
  readonly expectedLayers?: number;
  /** Build the logit lens (a session of its own). */
  readonly logitLens: boolean;
  /** Build the block-replacement session (a second copy of the weights). */
  readonly blockReplacement: boolean;
}

/** Sessions created without a request (transformers.js's own operations): the graph as it is read. */
const NO_REQUEST: AugmentationRequest = { logitLens: false, blockReplacement: false };

/** The session options' key for the request; a symbol, so it can never clash with onnxruntime's. */
const AUGMENTATION_REQUEST = Symbol('linscope.augmentationRequest');

type OptionsWithRequest = Ort.InferenceSession.SessionOptions & {
  [AUGMENTATION_REQUEST]?: AugmentationRequest;
};

/** `options` carrying `request` to the sessions the load creates (onnxruntime never sees it). */
export function withAugmentationRequest(
  options: Ort.InferenceSession.SessionOptions,
  request: AugmentationRequest,
): Ort.InferenceSession.SessionOptions {
  const carrying: OptionsWithRequest = { ...options, [AUGMENTATION_REQUEST]: request };
  return carrying;
}

/** The request `options` carry (or none), and the options onnxruntime is given, without it. */
function takeAugmentationRequest(options: Ort.InferenceSession.SessionOptions | undefined): {
  request: AugmentationRequest;
  ortOptions: Ort.InferenceSession.SessionOptions | undefined;
} {
  if (!options) return { request: NO_REQUEST, ortOptions: options };
  const { [AUGMENTATION_REQUEST]: request, ...ortOptions } = options as OptionsWithRequest;
  return { request: request ?? NO_REQUEST, ortOptions };
}

type SessionSource = string | ArrayBufferLike | Uint8Array;

/**
 * onnxruntime's session option naming the folder external data paths are relative to, for a model
 * handed over as bytes (which has no folder of its own).
 */
const EXTERNAL_DATA_FOLDER = 'session.model_external_initializers_file_folder_path';

/** How the host reads a model given by path (Node). */
export interface ModelFileAccess {
  /** The file's bytes. */
  read(path: string): Promise<Uint8Array>;
  /**
   * The folder the file lies in (where onnxruntime finds the external data it names) and its name
   * there.
   */
  locate(path: string): { folder: string; name: string };
  /** The size of the file at `path` in bytes; null where there is no such file. */
  sizeOf(path: string): number | null;
  /** Bytes [start, end) of the file at `path`; null where they cannot be read. */
  readRange(path: string, start: number, end: number): Uint8Array | null;
}

export interface AugmentationRecord {
  plan: HiddenStatePlan;
  /** The logit lens, when it was built: its own session and output names (see logitLensGraph.ts). */
  lens: { outputs: LogitLensOutputs; session: Ort.InferenceSession } | null;
  /**
   * The block-replacement graph (linearizeGraph.ts) in a session of its own, when asked for: its
   * inputs per block, or why this model cannot have one.
   */
  replacement:
    | { blocks: readonly BlockReplacementInputs[]; session: Ort.InferenceSession }
    | { refused: LinScopeError }
    | null;
  /** Milliseconds spent parsing the graph, finding the states and appending outputs. */
  augmentMs: number;
  /** Which weights these are (weightsFingerprint.ts): a reference fit records it and is used only with them. */
  weights: string;
  /** The model's inputs as its graph declares them (a dimension is a size, or a name where it varies). */
  inputShapes: ReadonlyMap<string, readonly OnnxDim[] | undefined>;
  modelBytes: number;
}

export class AugmentingRuntime {
  private readonly records = new WeakMap<Ort.InferenceSession, AugmentationRecord>();
  /**
   * Sessions run as they are (`isOperationGraph`), with why LinScope could not have augmented
   * them: when one turns out to be the model the user asked for, that is the error to show.
   */
  private readonly unaugmented = new WeakMap<Ort.InferenceSession, unknown>();
  /**
   * Why the first session that failed to be created failed (null while none has). transformers.js
   * (web) chains every session creation on one promise, so after one failure every later model load
   * in this realm fails with the same error: the page's worker is then replaced (worker/entry.ts).
   */
  sessionFailure: string | null = null;

  constructor(
    readonly ort: OrtModule,
    private readonly files?: ModelFileAccess,
  ) {}

  /** Why `session` was run without augmentation (undefined when it was augmented, or unknown). */
  refusalOf(session: Ort.InferenceSession): unknown {
    return this.unaugmented.get(session);
  }

  /** How the session's graph was augmented (undefined for sessions not made through `module()`). */
  recordOf(session: Ort.InferenceSession): AugmentationRecord | undefined {
    return this.records.get(session);
  }

  private async toBytes(source: SessionSource): Promise<Uint8Array> {
    if (typeof source === 'string') {
      if (!this.files) throw new Error('this runtime cannot read model files by path');
      return this.files.read(source);
    }
    return source instanceof Uint8Array ? source : new Uint8Array(source);
  }

  async createSession(
    source: SessionSource,
    options?: Ort.InferenceSession.SessionOptions,
  ): Promise<Ort.InferenceSession> {
    const { request, ortOptions } = takeAugmentationRequest(options);
    try {
      return await this.createAugmentedSession(source, ortOptions, request);
    } catch (error) {
      this.sessionFailure ??= error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private async createAugmentedSession(
    source: SessionSource,
    options: Ort.InferenceSession.SessionOptions | undefined,
    request: AugmentationRequest,
  ): Promise<Ort.InferenceSession> {
    const bytes = await this.toBytes(source);
    const started = performance.now();
    let graph: OnnxGraph;
    try {
      graph = readOnnxGraph(bytes);
    } catch (error) {
      throw new DamagedModelFile(
        `${bytes.length} bytes that do not read as an ONNX model: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const outside = [...graph.externalDataFiles].find(liesOutsideFolder);
    if (outside !== undefined)
      throw new LinScopeError(
        'BAD_INPUT',
        `The model file names external data outside its folder ("${outside}"): LinScope reads only files beside the model. Export the model again, or put its weights file next to it under a plain name.`,
      );
    const external = this.externalDataFiles(source, graph, options);
    checkExternalData(graph, external);
    // transformers.js runs some operations of its own (top-k when sampling, interpolation) as tiny
    // in-memory graphs through this same door: a graph with no weights that takes no token ids is
    // such an operation, and runs as it is. (A model that is no decoder has weights, and is refused
    // below for having no layers.)
    if (isOperationGraph(graph)) {
      const session = await this.ort.InferenceSession.create(bytes, options);
      try {
        findHiddenStates(graph, { layers: request.expectedLayers });
      } catch (error) {
        this.unaugmented.set(session, error);
      }
      return session;
    }
    const plan = findHiddenStates(graph, { layers: request.expectedLayers });
    const inputShapes = new Map(readValueInfos(bytes).inputs.map((input) => [input.name, input.shape]));
    const weights = weightsFingerprint([
      bytesFile('model', bytes),
      ...[...external.values()].map((data) => data.file),
    ]);
    // Every session is made from the model's graph without its weights, which stay where they are
    // (weightsOutOfLine.ts): in the file, for a model read by path, else in the bytes handed over.
    const model = this.weightsOutOfLine(source, bytes, options);
    // The lens runs in a session of its own: inside the model's session its extra nodes would change
    // how onnxruntime optimises the model's own head, and with it the logits (by ~1e-5).
    const lens = request.logitLens ? buildLogitLens(graph, plan) : null;
    const lensBytes = lens ? augmentGraph(model.graph, plan, graph, lens) : null;
    const appended = augmentGraph(model.graph, plan, graph);
    // The head computes only the logits asked for (`num_logits_to_keep`, logitsToKeep.ts): the
    // analysis reads none.
    const head = trimmableHead(graph);
    const augmented = head ? withLogitsToKeep(appended, head) : appended;
    const augmentMs = performance.now() - started;
    const modelBytes = bytes.length;
    // Where onnxruntime reads the weights from the file, the bytes read here are done with: freed
    // now rather than when the collector gets to them, before onnxruntime makes copies of its own.
    if (!model.readsBytes) {
      release(bytes);
      // Where `release` goes through a message (Node 20), the memory is given back on the next turn.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const session = await this.ort.InferenceSession.create(augmented, model.options);
    const lensSession =
      lens && lensBytes
        ? await this.ort.InferenceSession.create(lensBytes, cpuOnly(model.options)).catch(() => null)
        : null;
    const replacement = request.blockReplacement
      ? await this.replacementSession(model.graph, graph, plan, model.options)
      : null;
    // Every session holds its weights now.
    release(bytes);
    this.records.set(session, {
      plan,
      lens: lens && lensSession ? { outputs: lens.outputs, session: lensSession } : null,
      replacement,
      augmentMs,
      modelBytes,
      weights,
      inputShapes,
    });
    return session;
  }

  /**
   * The model's external data files (the graph's `location`s) as far as they can be reached here:
   * in the model's folder (a model read by path), or among the bytes handed over with it.
   */
  private externalDataFiles(
    source: SessionSource,
    graph: OnnxGraph,
    options: Ort.InferenceSession.SessionOptions | undefined,
  ): ExternalDataFiles {
    const files = this.files;
    const reach = (() => {
      if (typeof source === 'string' && files) {
        const { folder } = files.locate(source);
        return (location: string): ExternalDataFile => {
          const path = `${folder}/${location}`;
          const size = files.sizeOf(path);
          return {
            size,
            file: {
              name: location,
              size: size ?? 0,
              read: (start, end) => files.readRange(path, start, end),
            },
          };
        };
      }
      const given = new Map(
        (options?.externalData ?? []).flatMap((file) =>
          typeof file === 'string' ? [] : [[file.path, file.data]],
        ),
      );
      return (location: string): ExternalDataFile => {
        const data = given.get(location);
        const held =
          data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
        if (held) return { size: held.length, file: bytesFile(location, held) };
        const size = typeof Blob !== 'undefined' && data instanceof Blob ? data.size : undefined;
        return { size, file: { name: location, size: size ?? 0, read: () => null } };
      };
    })();
    return new Map([...graph.externalDataFiles].sort().map((location) => [location, reach(location)]));
  }

  /**
   * The model as its sessions are made from it: its graph, with the large weights referring to
   * where they already are (`moveWeightsOutOfLine`), and the session options that say where that is.
   * A model read by path: the file itself, which onnxruntime reads from its folder, as it does the
   * external data files the model names. Bytes handed over: those bytes, as in-memory external data
   * (`withWeightsOutOfLine`). `readsBytes` tells whether `bytes` must live until the sessions exist.
   */
  private weightsOutOfLine(
    source: SessionSource,
    bytes: Uint8Array,
    options: Ort.InferenceSession.SessionOptions | undefined,
  ): { graph: Uint8Array; options: Ort.InferenceSession.SessionOptions | undefined; readsBytes: boolean } {
    if (typeof source === 'string' && this.files) {
      const { folder, name } = this.files.locate(source);
      const moved = moveWeightsOutOfLine(bytes, name);
      return {
        graph: moved?.graph ?? bytes,
        options: { ...options, extra: { ...options?.extra, [EXTERNAL_DATA_FOLDER]: folder } },
        readsBytes: !moved,
      };
    }
    const [graph, withBytes] = withWeightsOutOfLine(bytes, options);
    return { graph, options: withBytes, readsBytes: true };
  }

  /**
   * The model with every block replaceable (a separate session, on the model's own backend: the
   * experiment runs the whole model many times). It holds a second copy of the weights, so it is
   * only built when a replacement experiment asks for it.
   */
  private async replacementSession(
    bytes: Uint8Array,
    graph: OnnxGraph,
    plan: HiddenStatePlan,
    options: Ort.InferenceSession.SessionOptions | undefined,
  ): Promise<AugmentationRecord['replacement']> {
    let built: ReturnType<typeof linearizeGraph>;
    try {
      built = linearizeGraph(bytes, graph, plan);
    } catch (error) {
      if (error instanceof LinScopeError) return { refused: error };
      throw error;
    }
    try {
      return { blocks: built.blocks, session: await this.ort.InferenceSession.create(built.bytes, options) };
    } catch (error) {
      // The analysis session loaded, so the model is fine: only the experiment is off (say, float16
      // activations that the float32 map inputs do not match).
      return {
        refused: new LinScopeError(
          'UNSUPPORTED_GRAPH',
          `This model cannot run with replaced blocks: ${error instanceof Error ? error.message : String(error)}`,
        ),
      };
    }
  }

  /** An onnxruntime module object whose `InferenceSession.create` augments the graph first. */
  module(): OrtModule {
    const create = (source: SessionSource, options?: Ort.InferenceSession.SessionOptions) =>
      this.createSession(source, options);
    const InferenceSession = Object.assign(Object.create(this.ort.InferenceSession), { create });
    return { ...this.ort, InferenceSession } as OrtModule;
  }
}

/**
 * Frees a model's bytes now instead of whenever the garbage collector next runs (a model's worth of
 * memory, and the collector sees no reason to hurry while onnxruntime works): the buffer is
 * detached, and every view of it reads as empty from then on. `ArrayBuffer.prototype.transfer(0)`
 * where the engine has it (Chromium, Node 22+); else (Node 20) the buffer is transferred into a
 * message that is never delivered, whose memory goes when its channel closes.
 */
export function release(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer) return;
  if (buffer.byteLength === 0) return;
  if (typeof buffer.transfer === 'function') {
    buffer.transfer(0);
  } else if (typeof MessageChannel !== 'undefined') {
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(null, [buffer]);
    port1.close();
    port2.close();
  }
}

/**
 * The inputs of one window with an empty cache (`emptyCacheFeeds`) as tensors of `ort`, for the
 * sessions LinScope runs itself (the analysis forward, the logit lens, block replacement); null when
 * the graph takes an input this cannot fill. The empty cache takes the shapes the session declares
 * (`inputMetadata`); `inputNames` are the inputs to fill (all of the session's, or some of them).
 */
export function emptyCacheOrtFeeds(
  ort: OrtModule,
  session: SessionInputs,
  ids: readonly number[],
  shape: CacheShape,
  cacheType: CacheElementType = 'float32',
  logitsToKeep = 0,
): Record<string, Ort.Tensor> | null {
  const declared = new Map<string, DeclaredDims>();
  for (const meta of session.inputMetadata ?? [])
    if (meta.isTensor && meta.shape.length > 0) declared.set(meta.name, meta.shape);
  return emptyCacheFeeds(
    session.inputNames,
    ids,
    shape,
    (type, data, dims) =>
      type === 'int64'
        ? new ort.Tensor('int64', data as BigInt64Array, dims)
        : type === 'float16'
          ? new ort.Tensor('float16', data as Uint16Array, dims)
          : new ort.Tensor('float32', data as Float32Array, dims),
    cacheType,
    logitsToKeep,
    declared,
  );
}

/** What `emptyCacheOrtFeeds` reads of a session: the inputs to fill and what the session declares of them. */
export interface SessionInputs {
  readonly inputNames: readonly string[];
  readonly inputMetadata?: readonly Ort.InferenceSession.ValueMetadata[];
}

export type Transformers = typeof import('@huggingface/transformers');

/** The runtime pair every host (browser worker, Node) hands to the model code. */
export interface LinScopeRuntime {
  runtime: AugmentingRuntime;
  transformers: Transformers;
  /** Model file requests that failed before any answer (the browser's runtime records them). */
  fetchFailures?: FetchFailures;
  /** Whether a model file is there, where the runtime can tell without a request (`loadFailure`). */
  modelFileExists?: ModelFileProbe;
}

/**
 * The lens models are small (that is when a lens is built): on the CPU (wasm) they cost little,
 * while WebGPU would compile another set of shaders for them.
 */
function cpuOnly(
  options: Ort.InferenceSession.SessionOptions | undefined,
): Ort.InferenceSession.SessionOptions {
  const providers = (options?.executionProviders ?? []).filter(
    (ep) => ep !== 'webgpu' && (typeof ep !== 'object' || ep.name !== 'webgpu'),
  );
  const { executionProviders: _, ...rest } = options ?? {};
  return providers.length > 0 ? { ...rest, executionProviders: providers } : rest;
}

/**
 * An operation transformers.js runs as a graph of its own (top-k, interpolation): no weights, and no
 * token ids (`input_ids`) or embeddings (`inputs_embeds`) among its inputs.
 */
export function isOperationGraph(graph: Pick<OnnxGraph, 'inputs' | 'initializers'>): boolean {
  const takesTokens = graph.inputs.some((name) => name === 'input_ids' || name === 'inputs_embeds');
  return !takesTokens && graph.initializers.size === 0;
}

/**
 * A model's external data file as `AugmentingRuntime.externalDataFiles` reaches it: its size (null:
 * the model's folder has no such file; undefined: cannot be told, data given as a URL or Blob), and
 * its bytes as the weights' fingerprint reads them.
 */
interface ExternalDataFile {
  size: number | null | undefined;
  file: FingerprintFile;
}

/** The graph's external data files by location, in name order. */
type ExternalDataFiles = ReadonlyMap<string, ExternalDataFile>;

/**
 * Refuses, before onnxruntime reads them, external data files that are missing (a model read by
 * path) or shorter than the graph's references into them (cut short by a copy or download), with
 * what to do; onnxruntime's own words for either are a stack trace about tensor deserialisation.
 */
function checkExternalData(graph: OnnxGraph, external: ExternalDataFiles): void {
  for (const [location, end] of graph.externalDataEnds) {
    const size = external.get(location)?.size;
    if (size === null)
      throw new LinScopeError(
        'MODEL_NOT_FOUND',
        `The model's graph keeps its weights in "${location}", which is not beside the model file. Copy ${location} into the model's onnx folder.`,
      );
    if (size !== undefined && size < end)
      throw new DamagedModelFile(
        `${location} is ${size.toLocaleString('en')} bytes, but the graph reads ${end.toLocaleString('en')} bytes from it: it was cut short`,
      );
  }
}

/**
 * An external data location that does not name a file in the model's own folder (or below it): an
 * absolute path, or one that climbs out with `..`.
 */
export function liesOutsideFolder(location: string): boolean {
  if (/^([\\/]|[A-Za-z]:)/.test(location)) return true;
  return location.split(/[\\/]/).includes('..');
}

const ORT_SYMBOL = Symbol.for('onnxruntime');

/** Make transformers.js use this runtime. Must run before `@huggingface/transformers` is imported. */
export function installForTransformers(runtime: AugmentingRuntime): void {
  (globalThis as Record<symbol, unknown>)[ORT_SYMBOL] = runtime.module();
}
