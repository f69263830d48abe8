import { ProtobufWriter } from './protobufWriter';

// ONNX field numbers (onnx.proto3).
const MODEL = { irVersion: 1, opsetImport: 8, graph: 7 } as const;
const OPSET = { version: 2 } as const;
const GRAPH = { node: 1, name: 2, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, opType: 4 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1 } as const;
const FLOAT = 1;

/** Length of the probe model's input and output vectors. */
export const PROBE_LENGTH = 4;

function floatVector(w: ProtobufWriter, name: string): void {
  w.string(VALUE_INFO.name, name).message(VALUE_INFO.type, (t) =>
    t.message(TYPE.tensorType, (tt) =>
      tt
        .int(TENSOR_TYPE.elemType, FLOAT)
        .message(TENSOR_TYPE.shape, (s) => s.message(SHAPE.dim, (d) => d.int(DIM.value, PROBE_LENGTH))),
    ),
  );
}

/**
 * A four-element `y = x + x` ONNX model, built in memory. Running it proves that onnxruntime's
 * runtime files loaded (from LinScope's own origin) and that the chosen backend executes kernels.
 */
export function probeModelBytes(): Uint8Array {
  return new ProtobufWriter()
    .int(MODEL.irVersion, 8)
    .message(MODEL.opsetImport, (o) => o.int(OPSET.version, 17))
    .message(MODEL.graph, (g) =>
      g
        .message(GRAPH.node, (n) =>
          n
            .string(NODE.input, 'x')
            .string(NODE.input, 'x')
            .string(NODE.output, 'y')
            .string(NODE.opType, 'Add'),
        )
        .string(GRAPH.name, 'linscope-probe')
        .message(GRAPH.input, (v) => floatVector(v, 'x'))
        .message(GRAPH.output, (v) => floatVector(v, 'y')),
    )
    .finish();
}
