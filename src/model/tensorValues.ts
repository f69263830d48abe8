/**
 * The values of an output tensor (onnxruntime's or transformers.js's, on the CPU) as float32.
 */
import { LinScopeError } from '../errors';

export interface TensorLike {
  data: ArrayLike<unknown>;
  dims: readonly number[];
  type: string;
  dispose?: () => void;
}

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** A tensor's values as float32 (fp16 outputs of fp16/q4f16 graphs are widened). */
export function toFloat32(tensor: TensorLike): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const src = tensor.data as ArrayLike<number>;
    const out = new Float32Array(src.length);
    if (src instanceof Uint16Array) for (let i = 0; i < src.length; i++) out[i] = float16ToFloat32(src[i]);
    else for (let i = 0; i < src.length; i++) out[i] = src[i];
    return out;
  }
  throw new LinScopeError('RUNTIME', `the model returned a ${tensor.type} tensor where float was expected`);
}
