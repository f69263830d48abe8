/**
 * Test support (not product code): small random llama2.c checkpoints and an independent port
 * of llama2.c's `run.c` forward pass, in float64, with the interleaved RoPE exactly as run.c
 * computes it. The converted ONNX graph must agree with it.
 */
import { seededRandom } from '../../analysis/testing/asserts';
import type { Llama2cCheckpoint } from './checkpoint';

export interface TinyLlamaShape {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
}

/**
 * The bytes of a legacy v0 checkpoint with random weights, written field by field in the
 * order of llama2.c's `legacy_export` (an independent writer for the reader under test).
 * A negative vocabSize in the header means an untied classifier follows the RoPE tables.
 */
export function tinyCheckpointBytes(
  shape: TinyLlamaShape,
  seed: number,
  sharedClassifier = true,
): Uint8Array {
  const random = seededRandom(seed);
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen } = shape;
  const headDim = dim / nHeads;
  const kvDim = nKvHeads * headDim;
  const values: number[] = [];
  const weights = (count: number, scale: number, offset = 0) => {
    for (let i = 0; i < count; i++) values.push(offset + (random() * 2 - 1) * scale);
  };
  weights(vocabSize * dim, 1); // token embedding
  weights(nLayers * dim, 0.2, 1); // rms_att around 1
  weights(nLayers * dim * dim, 0.5); // wq
  weights(nLayers * kvDim * dim, 0.5); // wk
  weights(nLayers * kvDim * dim, 0.5); // wv
  weights(nLayers * dim * dim, 0.3); // wo
  weights(nLayers * dim, 0.2, 1); // rms_ffn
  weights(nLayers * hiddenDim * dim, 0.4); // w1
  weights(nLayers * dim * hiddenDim, 0.3); // w2
  weights(nLayers * hiddenDim * dim, 0.4); // w3
  weights(dim, 0.2, 1); // rms_final
  weights(seqLen * headDim, 1); // RoPE tables: never read, so any values
  if (!sharedClassifier) weights(vocabSize * dim, 1);
  const bytes = new Uint8Array(28 + values.length * 4);
  const view = new DataView(bytes.buffer);
  const header = [
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    sharedClassifier ? vocabSize : -vocabSize,
    seqLen,
  ];
  header.forEach((v, i) => {
    view.setInt32(i * 4, v, true);
  });
  values.forEach((v, i) => {
    view.setFloat32(28 + i * 4, v, true);
  });
  return bytes;
}

function matVec(w: Float32Array, x: readonly number[], rows: number, cols: number): number[] {
  const out = new Array<number>(rows).fill(0);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += w[r * cols + c] * x[c];
    out[r] = sum;
  }
  return out;
}

function rmsNorm(x: readonly number[], weight: Float32Array): number[] {
  const meanSquare = x.reduce((s, v) => s + v * v, 0) / x.length;
  const scale = 1 / Math.sqrt(meanSquare + 1e-5);
  return x.map((v, i) => v * scale * weight[i]);
}

export interface ReferenceStates {
  /** Logits per position, [T][vocab]. */
  logits: number[][];
  /** Residual stream after each block per position, [nLayers][T][dim]. */
  blockOutputs: number[][][];
}

/** run.c's forward() for each token in turn (with its KV cache), in float64. */
export function llama2cReferenceForward(
  checkpoint: Llama2cCheckpoint,
  tokens: readonly number[],
): ReferenceStates {
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize } = checkpoint.config;
  const kvDim = nKvHeads * headDim;
  const kvMul = nHeads / nKvHeads;
  const keyCache = Array.from({ length: nLayers }, () => [] as number[][]);
  const valueCache = Array.from({ length: nLayers }, () => [] as number[][]);
  const logits: number[][] = [];
  const blockOutputs = Array.from({ length: nLayers }, () => [] as number[][]);
  tokens.forEach((token, pos) => {
    let x = Array.from(checkpoint.tokenEmbedding.subarray(token * dim, (token + 1) * dim));
    checkpoint.layers.forEach((layer, l) => {
      const xb = rmsNorm(x, layer.rmsAtt);
      const q = matVec(layer.wq, xb, dim, dim);
      const k = matVec(layer.wk, xb, kvDim, dim);
      const v = matVec(layer.wv, xb, kvDim, dim);
      // Interleaved RoPE, as run.c: pair (i, i+1), frequency from i modulo the head size.
      for (let i = 0; i < dim; i += 2) {
        const freq = 1 / 10000 ** ((i % headDim) / headDim);
        const cos = Math.cos(pos * freq);
        const sin = Math.sin(pos * freq);
        for (const vec of i < kvDim ? [q, k] : [q]) {
          const [v0, v1] = [vec[i], vec[i + 1]];
          vec[i] = v0 * cos - v1 * sin;
          vec[i + 1] = v0 * sin + v1 * cos;
        }
      }
      keyCache[l].push(k);
      valueCache[l].push(v);
      const attended = new Array<number>(dim).fill(0);
      for (let h = 0; h < nHeads; h++) {
        const kvOffset = Math.floor(h / kvMul) * headDim;
        const scores = keyCache[l].map((key) => {
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[h * headDim + d] * key[kvOffset + d];
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, t) => {
          for (let d = 0; d < headDim; d++)
            attended[h * headDim + d] += (e / total) * valueCache[l][t][kvOffset + d];
        });
      }
      const attnOut = matVec(layer.wo, attended, dim, dim);
      x = x.map((val, i) => val + attnOut[i]);
      const xb2 = rmsNorm(x, layer.rmsFfn);
      const gate = matVec(layer.w1, xb2, hiddenDim, dim);
      const up = matVec(layer.w3, xb2, hiddenDim, dim);
      const hidden = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = matVec(layer.w2, hidden, dim, hiddenDim);
      x = x.map((val, i) => val + down[i]);
      blockOutputs[l].push(x);
    });
    logits.push(matVec(checkpoint.classifier, rmsNorm(x, checkpoint.rmsFinal), vocabSize, dim));
  });
  return { logits, blockOutputs };
}
