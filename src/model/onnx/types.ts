/**
 * Plain data for the ONNX messages LinScope writes (writer.ts) and decodes in detail (reader.ts):
 * models, graphs, nodes, attributes, tensors with raw data, value infos. The reader's summary of a
 * model file (`OnnxGraph`, `OnnxNode` in reader.ts) is a different, lighter thing: names and edges.
 */
import type { OnnxElementType } from './fields';

/** The typed array that holds each element type a tensor can carry here. */
export interface OnnxTensorArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
}
export type OnnxTensorType = keyof OnnxTensorArrays;

/** A dense tensor, stored little-endian in `raw_data`; `dims` [] is a scalar. */
export type OnnxTensor = {
  [K in OnnxTensorType]: {
    /** Required for initializers; a Constant's `value` attribute may leave it out. */
    readonly name?: string;
    readonly type: K;
    readonly dims: readonly number[];
    readonly data: OnnxTensorArrays[K];
  };
}[OnnxTensorType];

export type OnnxInitializer = OnnxTensor & { readonly name: string };

/**
 * A node attribute. Integers are int64 in ONNX: a `number` must be a safe integer, a `bigint`
 * carries the rest (the reader returns a bigint only for values outside the safe range).
 * `encoded` is an AttributeProto copied as stored (see `OnnxNode.attributes`), for nodes copied
 * from a model without decoding their attributes; its name is inside its bytes.
 */
export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'int'; readonly value: number | bigint }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: OnnxTensor }
  | { readonly kind: 'encoded'; readonly bytes: Uint8Array };

/**
 * A fixed size, or a symbolic dimension's name (`batch_size`). An unknown dimension (neither) is
 * written and read as ''.
 */
export type OnnxDim = number | string;

/**
 * A graph input, output or intermediate value. Without `type` and `shape` it is declared by name
 * only, which onnxruntime accepts for graph outputs (how LinScope adds its hidden-state outputs).
 */
export interface OnnxValueInfo {
  readonly name: string;
  readonly type?: OnnxElementType;
  /** Left out: a tensor of unknown rank. */
  readonly shape?: readonly OnnxDim[];
}

/** A node to write (the reader's parsed node is `OnnxNode`). */
export interface OnnxNodeSpec {
  /** Left out for anonymous nodes. */
  readonly name?: string;
  readonly opType: string;
  /** Operator set domain: '' (the default) is ai.onnx; `com.microsoft` for onnxruntime's ops. */
  readonly domain?: string;
  /** '' stands for an optional input that is left out. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

/** A graph to write, or (every field but `nodes` optional) the part of one to append to a model. */
export interface OnnxGraphSpec {
  readonly name?: string;
  readonly nodes: readonly OnnxNodeSpec[];
  readonly initializers?: readonly OnnxInitializer[];
  readonly inputs?: readonly OnnxValueInfo[];
  readonly outputs?: readonly OnnxValueInfo[];
  /** Types and shapes of intermediate values (optional in ONNX; onnxruntime infers them). */
  readonly valueInfo?: readonly OnnxValueInfo[];
}

export interface OnnxOpsetImport {
  /** '' (the default) is the standard ai.onnx operator set. */
  readonly domain?: string;
  readonly version: number;
}

export interface OnnxModel {
  /** ONNX IR version: 8 is what ONNX 1.10-1.13 wrote, with opsets 15-18. */
  readonly irVersion: number;
  readonly producerName?: string;
  readonly opsetImports: readonly OnnxOpsetImport[];
  readonly graph: OnnxGraphSpec;
}
