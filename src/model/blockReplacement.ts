/**
 * Runs a model with some of its blocks replaced (the paper's experiment): the session built from
 * linearizeGraph.ts, fed the model's own inputs for one window (empty cache) plus, per block, what
 * to do with its output: keep it, skip the block (its output := its input), or map its input with
 * an affine map (`meanY + (x - meanX) W`). Returns the logits.
 */
import type * as Ort from 'onnxruntime-web';
import { LinScopeError } from '../errors';
import { emptyCacheOrtFeeds, type OrtModule } from './augmentingRuntime';
import type { ModelConfig } from './config';
import type { BlockReplacementInputs } from './onnx/surgery/linearizeGraph';
import { cacheShape } from './windowFeeds';

/** An affine map in float32, as the graph takes it: y = meanY + (x - meanX) W, W d x d row-major. */
export interface AffineMap32 {
  readonly weights: Float32Array;
  readonly meanX: Float32Array;
  readonly meanY: Float32Array;
}

/** What happens to one block's output. */
export type BlockChange =
  | { readonly kind: 'keep' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'map'; readonly map: AffineMap32 };

export interface ReplacedLogits {
  /** [T, V] row-major. */
  readonly logits: Float32Array;
  readonly vocab: number;
}

const KEEP: BlockChange = { kind: 'keep' };

export class BlockReplacementRunner {
  constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    private readonly blocks: readonly BlockReplacementInputs[],
    private readonly config: ModelConfig,
    readonly hidden: number,
  ) {}

  get layers(): number {
    return this.blocks.length;
  }

  /** The logits of `ids` (one window) with block l changed as `changes[l]` says (missing: kept). */
  async logits(ids: readonly number[], changes: readonly BlockChange[]): Promise<ReplacedLogits> {
    const L = this.blocks.length;
    if (changes.length > L)
      throw new LinScopeError(
        'BAD_INPUT',
        `The model has ${L} blocks; ${changes.length} changes were given.`,
      );
    const { Tensor } = this.ort;
    const own = this.session.inputNames.filter((name) => !name.startsWith('linscope/'));
    const feeds = emptyCacheOrtFeeds(
      this.ort,
      { inputNames: own, inputMetadata: this.session.inputMetadata },
      ids,
      cacheShape(this.config),
    );
    if (!feeds)
      throw new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `The model takes inputs LinScope cannot fill: ${own.join(', ')}.`,
      );
    const d = this.hidden;
    this.blocks.forEach((inputs, l) => {
      const change = changes[l] ?? KEEP;
      const map = change.kind === 'map' ? change.map : null;
      if (map && (map.weights.length !== d * d || map.meanX.length !== d || map.meanY.length !== d))
        throw new LinScopeError(
          'BAD_INPUT',
          `The map for block ${l} has ${map.weights.length} weights and means of ${map.meanX.length} and ${map.meanY.length}; this model needs ${d} x ${d} and ${d}.`,
        );
      // A kept block gets a one-column map: the graph still computes it, at d multiply-adds a token.
      feeds[inputs.weights] = new Tensor(
        'float32',
        map?.weights ?? new Float32Array(d),
        map ? [d, d] : [d, 1],
      );
      feeds[inputs.meanX] = new Tensor('float32', map?.meanX ?? new Float32Array(1), [map ? d : 1]);
      feeds[inputs.meanY] = new Tensor('float32', map?.meanY ?? new Float32Array(1), [map ? d : 1]);
      feeds[inputs.useMap] = new Tensor('bool', Uint8Array.of(map ? 1 : 0), []);
      feeds[inputs.skip] = new Tensor('bool', Uint8Array.of(change.kind === 'skip' ? 1 : 0), []);
    });
    const out = await this.session.run(feeds, ['logits']);
    const logits = out.logits;
    if (logits.type !== 'float32')
      throw new LinScopeError(
        'UNSUPPORTED_GRAPH',
        `The model returns ${logits.type} logits; replacing blocks needs float32.`,
      );
    const data = logits.data as Float32Array;
    return { logits: data, vocab: logits.dims[logits.dims.length - 1] };
  }
}
