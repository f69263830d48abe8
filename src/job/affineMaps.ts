/** The analysis core's affine maps (float64) as the model's graph takes them (float32). */
import type { LinearMap } from '../analysis';
import type { AffineMap32 } from '../model/blockReplacement';

export function toAffineMap32(map: LinearMap): AffineMap32 {
  return {
    weights: Float32Array.from(map.weights),
    meanX: Float32Array.from(map.meanX),
    meanY: Float32Array.from(map.meanY),
  };
}
