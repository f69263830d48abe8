import { encodeOnnxModel } from './onnx/writer';

/** Length of the probe model's input and output vectors. */
export const PROBE_LENGTH = 4;

/**
 * A four-element `y = x + x` ONNX model, built in memory. Running it proves that onnxruntime's
 * runtime files loaded (from LinScope's own origin) and that the chosen backend executes kernels.
 */
export function probeModelBytes(): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetImports: [{ version: 17 }],
    graph: {
      name: 'linscope-probe',
      nodes: [{ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'] }],
      inputs: [{ name: 'x', type: 'float32', shape: [PROBE_LENGTH] }],
      outputs: [{ name: 'y', type: 'float32', shape: [PROBE_LENGTH] }],
    },
  });
}
