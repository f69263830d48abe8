/**
 * The onnx.proto numbers LinScope uses, in one table: field numbers of each message, the
 * `AttributeProto.AttributeType` and `TensorProto.DataType` enumerations. Only the reader and
 * the writer next to this file (and tests that read raw bytes) should need them; everything
 * else talks in their data types. Names follow onnx/onnx.proto, camel-cased.
 */

export const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
} as const;

export const OPERATOR_SET_ID = { domain: 1, version: 2 } as const;

export const GRAPH = {
  node: 1,
  name: 2,
  initializer: 5,
  docString: 10,
  input: 11,
  output: 12,
  valueInfo: 13,
} as const;

export const NODE = {
  input: 1,
  output: 2,
  name: 3,
  opType: 4,
  attribute: 5,
  docString: 6,
  domain: 7,
} as const;

export const ATTRIBUTE = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  t: 5,
  g: 6,
  floats: 7,
  ints: 8,
  strings: 9,
  tensors: 10,
  graphs: 11,
  type: 20,
} as const;

/** `AttributeProto.AttributeType`. */
export const ATTRIBUTE_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
} as const;
export type OnnxAttributeType = keyof typeof ATTRIBUTE_TYPE;

export const TENSOR = {
  dims: 1,
  dataType: 2,
  segment: 3,
  floatData: 4,
  int32Data: 5,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  externalData: 13,
  dataLocation: 14,
} as const;

/** `TensorProto.DataLocation`. */
export const DATA_LOCATION = { default: 0, external: 1 } as const;

/** `StringStringEntryProto` (a TensorProto's `external_data` entries: location, offset, length). */
export const STRING_STRING_ENTRY = { key: 1, value: 2 } as const;

export const VALUE_INFO = { name: 1, type: 2 } as const;
export const TYPE = { tensorType: 1 } as const;
export const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
export const TENSOR_SHAPE = { dim: 1 } as const;
export const DIMENSION = { value: 1, param: 2 } as const;

/** `TensorProto.DataType`: tensor element types (also the `to` of a Cast node). */
export const ELEMENT_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;
export type OnnxElementType = keyof typeof ELEMENT_TYPE;

/** The element type named by a `TensorProto.DataType` number, or null for one not in the table. */
export function elementTypeOf(dataType: number): OnnxElementType | null {
  for (const [name, value] of Object.entries(ELEMENT_TYPE)) {
    if (value === dataType) return name as OnnxElementType;
  }
  return null;
}
