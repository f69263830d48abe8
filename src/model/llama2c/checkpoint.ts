/**
 * Reader for llama2.c "legacy v0" checkpoints (`run.c` / `export.py --version 0`).
 *
 * Layout: seven little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
 * seq_len), then float32 tensors, each PyTorch-shaped `[out, in]` row-major and stacked over
 * layers: token embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, the RoPE
 * cos and sin tables, and (only when vocab_size is negative) an untied classifier.
 */

export interface Llama2cHyperparameters {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  headDim: number;
  /** True when the classifier reuses the token embedding (vocab_size was written positive). */
  sharedClassifier: boolean;
}

export interface Llama2cLayerWeights {
  /** [dim] */
  rmsAtt: Float32Array;
  /** [nHeads * headDim, dim] */
  wq: Float32Array;
  /** [nKvHeads * headDim, dim] */
  wk: Float32Array;
  /** [nKvHeads * headDim, dim] */
  wv: Float32Array;
  /** [dim, nHeads * headDim] */
  wo: Float32Array;
  /** [dim] */
  rmsFfn: Float32Array;
  /** Gate projection, [hiddenDim, dim]. */
  w1: Float32Array;
  /** Down projection, [dim, hiddenDim]. */
  w2: Float32Array;
  /** Up projection, [hiddenDim, dim]. */
  w3: Float32Array;
}

export interface Llama2cCheckpoint {
  config: Llama2cHyperparameters;
  /** [vocabSize, dim] */
  tokenEmbedding: Float32Array;
  layers: Llama2cLayerWeights[];
  /** [dim] */
  rmsFinal: Float32Array;
  /** [vocabSize, dim]; the token embedding itself when the classifier is shared. */
  classifier: Float32Array;
}

const HEADER_INTS = 7;
const HEADER_BYTES = HEADER_INTS * 4;

export class Llama2cFormatError extends Error {
  override readonly name = 'Llama2cFormatError';
}

export function readLlama2cHeader(bytes: Uint8Array): Llama2cHyperparameters {
  if (bytes.byteLength < HEADER_BYTES) throw new Llama2cFormatError('file too short for a llama2.c header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, signedVocab, seqLen] = Array.from(
    { length: HEADER_INTS },
    (_, i) => view.getInt32(i * 4, true),
  );
  const vocabSize = Math.abs(signedVocab);
  const positive = [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen];
  if (positive.some((v) => v <= 0)) {
    throw new Llama2cFormatError(`not a llama2.c legacy checkpoint (header ${positive.join(', ')})`);
  }
  if (dim % nHeads !== 0 || nHeads % nKvHeads !== 0) {
    throw new Llama2cFormatError(`inconsistent heads: dim ${dim}, ${nHeads} heads, ${nKvHeads} kv heads`);
  }
  const headDim = dim / nHeads;
  if (headDim % 2 !== 0) throw new Llama2cFormatError(`RoPE needs an even head size, got ${headDim}`);
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen,
    headDim,
    sharedClassifier: signedVocab > 0,
  };
}

/** Number of bytes a checkpoint with these hyperparameters must have. */
export function expectedCheckpointBytes(c: Llama2cHyperparameters): number {
  const kvDim = c.nKvHeads * c.headDim;
  const perLayer =
    c.dim + // rms_att
    c.dim * c.dim + // wq
    2 * kvDim * c.dim + // wk, wv
    c.dim * c.dim + // wo
    c.dim + // rms_ffn
    3 * c.hiddenDim * c.dim; // w1, w2, w3
  const ropeTables = c.seqLen * c.headDim; // cos and sin, seqLen * headDim / 2 each
  const floats =
    c.vocabSize * c.dim +
    c.nLayers * perLayer +
    c.dim +
    ropeTables +
    (c.sharedClassifier ? 0 : c.vocabSize * c.dim);
  return HEADER_BYTES + floats * 4;
}

export function parseLlama2cCheckpoint(bytes: Uint8Array): Llama2cCheckpoint {
  const config = readLlama2cHeader(bytes);
  const expected = expectedCheckpointBytes(config);
  if (bytes.byteLength !== expected) {
    throw new Llama2cFormatError(
      `checkpoint has ${bytes.byteLength.toLocaleString('en')} bytes, a legacy v0 file with this header has ${expected.toLocaleString('en', { maximumFractionDigits: 0 })}`,
    );
  }
  // Copy into an aligned buffer: the caller's bytes may start at any offset. The copy also
  // decodes little-endian floats on the (rare) big-endian host.
  const floats = new Float32Array((bytes.byteLength - HEADER_BYTES) / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset + HEADER_BYTES, floats.length * 4);
  for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);

  let offset = 0;
  const take = (count: number): Float32Array => {
    const out = floats.subarray(offset, offset + count);
    offset += count;
    return out;
  };
  const { dim, hiddenDim, nLayers, headDim, nHeads, nKvHeads, vocabSize } = config;
  const qDim = nHeads * headDim;
  const kvDim = nKvHeads * headDim;

  const tokenEmbedding = take(vocabSize * dim);
  // Each tensor is stacked over layers: all layers' rms_att, then all layers' wq, and so on.
  const stacked = (perLayer: number): Float32Array[] => Array.from({ length: nLayers }, () => take(perLayer));
  const rmsAtt = stacked(dim);
  const wq = stacked(qDim * dim);
  const wk = stacked(kvDim * dim);
  const wv = stacked(kvDim * dim);
  const wo = stacked(dim * qDim);
  const rmsFfn = stacked(dim);
  const w1 = stacked(hiddenDim * dim);
  const w2 = stacked(dim * hiddenDim);
  const w3 = stacked(hiddenDim * dim);
  const rmsFinal = take(dim);
  take(config.seqLen * headDim); // RoPE tables: recomputed from theta, as llama2.c's run.c does.
  const classifier = config.sharedClassifier ? tokenEmbedding : take(vocabSize * dim);

  const layers = Array.from({ length: nLayers }, (_, l) => ({
    rmsAtt: rmsAtt[l],
    wq: wq[l],
    wk: wk[l],
    wv: wv[l],
    wo: wo[l],
    rmsFfn: rmsFfn[l],
    w1: w1[l],
    w2: w2[l],
    w3: w3[l],
  }));
  return { config, tokenEmbedding, layers, rmsFinal, classifier };
}
