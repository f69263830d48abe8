/**
 * A model's weights moved out of its graph without copying them: every large initializer of the
 * main graph that stores its data in `raw_data` is rewritten as an external-data reference
 * (`location`, `offset`, `length`) into the model's own bytes. onnxruntime then takes the small
 * graph and the unchanged bytes as an external data "file".
 *
 * Why: onnxruntime-web copies a model handed over as bytes into its WebAssembly heap and parses
 * it there, so while it builds the session the heap holds the model, its parsed copy and the
 * session's weights at once; a WebAssembly heap never shrinks, so that transient stays the page's
 * peak for good. With the weights out of line the heap gets each weight once, copied from the
 * JavaScript bytes, which can be released when the session exists.
 */
import type * as Ort from 'onnxruntime-web';
import { DATA_LOCATION, GRAPH, STRING_STRING_ENTRY, TENSOR } from './fields';
import { type ProtoField, protoFields, WireType } from './protobufReader';
import { ProtobufWriter } from './protobufWriter';
import { copyModel } from './writer';

/** Initializers smaller than this stay in the graph (onnx's own `size_threshold` default). */
export const OUT_OF_LINE_MIN_BYTES = 1024;

export interface WeightsOutOfLine {
  /** The model with its large initializers referring to `location` instead of holding their data. */
  graph: Uint8Array;
  /** How many initializers were moved, and their bytes. */
  moved: number;
  movedBytes: number;
}

/** The range of `raw_data` in an initializer that may be referred to from outside, or null. */
function movableData(bytes: Uint8Array, initializer: ProtoField, minBytes: number): ProtoField | null {
  let raw: ProtoField | null = null;
  for (const f of protoFields(bytes, initializer.start, initializer.end)) {
    // Already external, or split into segments: left as it is.
    if (f.field === TENSOR.dataLocation && f.value === DATA_LOCATION.external) return null;
    if (f.field === TENSOR.externalData || f.field === TENSOR.segment) return null;
    if (f.field === TENSOR.rawData && f.wireType === WireType.lengthDelimited) raw = f;
  }
  return raw && raw.end - raw.start >= minBytes ? raw : null;
}

/**
 * `bytes` (an ONNX ModelProto) with the main graph's initializers of at least `minBytes` of
 * `raw_data` referring to `location` at their own offsets in `bytes`; null when none qualifies.
 * Hand onnxruntime the returned graph with `{ path: location, data: bytes }` as external data.
 * Every other field is copied as stored; subgraphs (If, Loop) keep their initializers.
 */
export function moveWeightsOutOfLine(
  bytes: Uint8Array,
  location: string,
  minBytes = OUT_OF_LINE_MIN_BYTES,
): WeightsOutOfLine | null {
  const out = new ProtobufWriter();
  let moved = 0;
  let movedBytes = 0;
  copyModel(bytes, out, (f, g) => {
    const raw =
      f.field === GRAPH.initializer && f.wireType === WireType.lengthDelimited
        ? movableData(bytes, f, minBytes)
        : null;
    if (!raw) return false;
    moved += 1;
    movedBytes += raw.end - raw.start;
    g.message(GRAPH.initializer, (t) => {
      let tensorFieldStart = f.start;
      for (const x of protoFields(bytes, f.start, f.end)) {
        const wholeTensorField = bytes.subarray(tensorFieldStart, x.end);
        tensorFieldStart = x.end;
        if (x.field !== TENSOR.rawData && x.field !== TENSOR.dataLocation) t.encoded(wholeTensorField);
      }
      const entries: [string, string][] = [
        ['location', location],
        // Offsets into the bytes as handed over (a view may start inside its buffer).
        ['offset', String(raw.start)],
        ['length', String(raw.end - raw.start)],
      ];
      for (const [key, value] of entries)
        t.message(TENSOR.externalData, (e) =>
          e.string(STRING_STRING_ENTRY.key, key).string(STRING_STRING_ENTRY.value, value),
        );
      t.int(TENSOR.dataLocation, DATA_LOCATION.external);
    });
    return true;
  });
  return moved === 0 ? null : { graph: out.finish(), moved, movedBytes };
}

/** The name the model's own bytes go by as external data (`withWeightsOutOfLine`). */
const WEIGHTS_LOCATION = 'linscope-model-weights';

/**
 * A model as onnxruntime-web takes it with the least memory: its graph, and its weights as external
 * data that refers to the bytes as handed over (`moveWeightsOutOfLine`). onnxruntime-web would
 * otherwise copy the whole model into its WebAssembly heap and parse it there, and that heap's
 * high-water mark is never given back. Graphs with no large inline weight go as they are.
 */
export function withWeightsOutOfLine(
  bytes: Uint8Array,
  options: Ort.InferenceSession.SessionOptions | undefined,
): [Uint8Array, Ort.InferenceSession.SessionOptions | undefined] {
  const taken = new Set(
    (options?.externalData ?? []).map((file) => (typeof file === 'string' ? file : file.path)),
  );
  let location = WEIGHTS_LOCATION;
  for (let n = 2; taken.has(location); n++) location = `${WEIGHTS_LOCATION}-${n}`;
  const split = moveWeightsOutOfLine(bytes, location);
  if (!split) return [bytes, options];
  return [
    split.graph,
    { ...options, externalData: [...(options?.externalData ?? []), { path: location, data: bytes }] },
  ];
}
