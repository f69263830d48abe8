/**
 * Builds an ONNX graph node by node, naming nodes and tensors the way `torch.onnx.export`
 * names them for Hugging Face modules: node `{scope}/{OpType}` (then `_1`, `_2`, ... for the
 * next nodes of that type in the same scope), output tensor `{node}_output_{k}`. LinScope finds
 * hidden states by those names, so graphs built here look like the exports on the Hub.
 */
import type { OnnxAttribute, OnnxInitializer, OnnxNodeSpec } from '../onnx/types';

export interface OpOptions {
  attributes?: readonly OnnxAttribute[];
  /** Explicit output names (graph outputs such as `logits`), instead of `{node}_output_{k}`. */
  outputs?: readonly string[];
}

export class GraphBuilder {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly opCounts = new Map<string, number>();
  private readonly constantNames = new Map<string, string>();

  /** Adds one node and returns its output names. */
  op(scope: string, opType: string, inputs: readonly string[], options: OpOptions = {}): string[] {
    const key = `${scope}/${opType}`;
    const count = this.opCounts.get(key) ?? 0;
    this.opCounts.set(key, count + 1);
    const name = count === 0 ? key : `${key}_${count}`;
    const outputs = options.outputs ?? [`${name}_output_0`];
    this.nodes.push({ name, opType, inputs, outputs, attributes: options.attributes ?? [] });
    return [...outputs];
  }

  /** Adds one single-output node and returns its output name. */
  op1(scope: string, opType: string, inputs: readonly string[], options: OpOptions = {}): string {
    const outputs = this.op(scope, opType, inputs, options);
    if (outputs.length !== 1) throw new Error(`${opType} in ${scope}: expected one output`);
    return outputs[0];
  }

  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dims, type: 'float32', data });
    return name;
  }

  /** A shared float32 constant (scalar when dims is empty), added once per distinct value. */
  floatConstant(values: readonly number[], dims: readonly number[] = []): string {
    return this.constant('float32', values, dims, () => Float32Array.from(values));
  }

  /** A shared int64 constant (scalar when dims is empty), added once per distinct value. */
  int64Constant(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('int64', values, dims, () => BigInt64Array.from(values, (v) => BigInt(v)));
  }

  private constant(
    type: 'float32' | 'int64',
    values: readonly number[],
    dims: readonly number[],
    data: () => Float32Array | BigInt64Array,
  ): string {
    const key = `${type}[${dims.join(',')}]:${values.join(',')}`;
    const existing = this.constantNames.get(key);
    if (existing) return existing;
    const name = `/constants/${type}_${this.constantNames.size}`;
    this.constantNames.set(key, name);
    const tensorData = data();
    this.initializers.push(
      tensorData instanceof Float32Array
        ? { name, dims, type: 'float32', data: tensorData }
        : { name, dims, type: 'int64', data: tensorData },
    );
    return name;
  }
}
