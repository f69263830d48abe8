import { onnxModelBytes } from './onnxModelWriter';

/** Length of the probe model's input and output vectors. */
export const PROBE_LENGTH = 4;

/**
 * A four-element `y = x + x` ONNX model, built in memory. Running it proves that onnxruntime's
 * runtime files loaded (from LinScope's own origin) and that the chosen backend executes kernels.
 */
export function probeModelBytes(): Uint8Array {
  return onnxModelBytes({
    name: 'linscope-probe',
    opset: 17,
    nodes: [{ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'] }],
    inputs: [{ name: 'x', type: 'float32', dims: [PROBE_LENGTH] }],
    outputs: [{ name: 'y', type: 'float32', dims: [PROBE_LENGTH] }],
  });
}
