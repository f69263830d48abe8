/**
 * Test support (not product code): runs a converted Llama graph with onnxruntime-node the way
 * a decoder loop does, feeding `present.*` back as `past_key_values.*`.
 */
import * as ort from 'onnxruntime-node';

export type KvCache = Record<string, ort.Tensor>;

export interface LlamaStepInput {
  /** Token ids per batch row, all rows the same length. */
  ids: readonly (readonly number[])[];
  /** [batch][past + seq]; all ones when omitted. */
  mask?: readonly (readonly number[])[];
  /** [batch][seq]; past + 0..seq-1 when omitted. */
  positions?: readonly (readonly number[])[];
  past?: KvCache;
}

export interface LlamaStepOutput {
  outputs: Record<string, ort.Tensor>;
  /** The present.* outputs, renamed to be the next step's past_key_values.*. */
  present: KvCache;
  /** logits[b][s] as a vocab-length Float32Array. */
  logits: Float32Array[][];
}

const int64Tensor = (rows: readonly (readonly number[])[]): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
    [rows.length, rows[0].length],
  );

export class LlamaSessionRunner {
  private constructor(
    readonly session: ort.InferenceSession,
    private readonly nLayers: number,
    private readonly nKvHeads: number,
    private readonly headDim: number,
  ) {}

  static async create(modelBytes: Uint8Array, nLayers: number, nKvHeads: number, headDim: number) {
    const session = await ort.InferenceSession.create(modelBytes, { intraOpNumThreads: 1 });
    return new LlamaSessionRunner(session, nLayers, nKvHeads, headDim);
  }

  emptyCache(batch: number): KvCache {
    const cache: KvCache = {};
    for (let i = 0; i < this.nLayers; i++) {
      for (const kind of ['key', 'value']) {
        cache[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [
          batch,
          this.nKvHeads,
          0,
          this.headDim,
        ]);
      }
    }
    return cache;
  }

  async step(input: LlamaStepInput): Promise<LlamaStepOutput> {
    const batch = input.ids.length;
    const seq = input.ids[0].length;
    const past = input.past ?? this.emptyCache(batch);
    const pastLength = past['past_key_values.0.key'].dims[2];
    const mask = input.mask ?? input.ids.map(() => new Array<number>(pastLength + seq).fill(1));
    const positions =
      input.positions ?? input.ids.map(() => Array.from({ length: seq }, (_, s) => pastLength + s));
    const outputs = await this.session.run({
      input_ids: int64Tensor(input.ids),
      attention_mask: int64Tensor(mask),
      position_ids: int64Tensor(positions),
      ...past,
    });
    const present: KvCache = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present.')) present[name.replace('present.', 'past_key_values.')] = tensor;
    }
    const vocab = outputs.logits.dims[2];
    const data = outputs.logits.data as Float32Array;
    const logits = Array.from({ length: batch }, (_, b) =>
      Array.from({ length: seq }, (_, s) => data.subarray((b * seq + s) * vocab, (b * seq + s + 1) * vocab)),
    );
    return { outputs, present, logits };
  }

  /** Greedy decoding without a cache: the whole sequence is recomputed at every step. */
  async greedyWithoutCache(prompt: readonly number[], newTokens: number): Promise<number[]> {
    const ids = [...prompt];
    for (let n = 0; n < newTokens; n++) {
      const { logits } = await this.step({ ids: [ids] });
      ids.push(argmax(logits[0][ids.length - 1]));
    }
    return ids;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
