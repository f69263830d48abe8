/**
 * The ONNX graph of a llama2.c model, as a Hugging Face `LlamaForCausalLM` with past key values
 * (the interface transformers.js expects of a decoder), built from standard opset-17 operators.
 *
 * Node names follow `torch.onnx.export` of the Hugging Face module tree (see graphBuilder.ts);
 * the residual stream is at `/model/embed_tokens/Gather_output_0`, after each block at
 * `/model/layers.{i}/Add_1_output_0` (after its attention at `/model/layers.{i}/Add_output_0`),
 * and after the final RMSNorm at `/model/norm/Mul_1_output_0`.
 */
import { ELEMENT_TYPE } from '../onnx/fields';
import type { OnnxGraphSpec, OnnxValueInfo } from '../onnx/types';
import { encodeOnnxModel } from '../onnx/writer';
import type { Llama2cCheckpoint } from './checkpoint';
import { GraphBuilder } from './graphBuilder';
import { interleavedToRotateHalfRows, rotaryTables } from './rotary';

export const OPSET_VERSION = 17;
/** IR version 8 is the one that goes with opset 17. */
export const IR_VERSION = 8;
export const RMS_NORM_EPS = 1e-5;
export const ROPE_THETA = 10000;

export interface LlamaGraphOptions {
  /**
   * Also declare the residual stream (embeddings, every block output, the final norm) as graph
   * outputs. For tests: LinScope's product path adds these outputs to a model itself.
   */
  exposeHiddenStates?: boolean;
}

/** Tensor names of the residual stream in this graph (and in torch exports of HF Llama). */
export function hiddenStateTensorNames(nLayers: number): {
  embeddings: string;
  blockOutputs: string[];
  finalNorm: string;
} {
  return {
    embeddings: '/model/embed_tokens/Gather_output_0',
    blockOutputs: Array.from({ length: nLayers }, (_, i) => `/model/layers.${i}/Add_1_output_0`),
    finalNorm: '/model/norm/Mul_1_output_0',
  };
}

const DIM = {
  batch: 'batch_size',
  seq: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
} as const;

/** Score of a masked position: float32's lowest value, as Hugging Face's causal mask uses. */
const MASKED_SCORE = -3.4028234663852886e38;

/** [rows, cols] row-major -> [cols, rows], because ONNX MatMul multiplies x @ W with W [in, out]. */
function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c];
  }
  return out;
}

/** The graph with every part the converter fills in (no value infos: onnxruntime infers them). */
export type LlamaGraph = Required<Omit<OnnxGraphSpec, 'valueInfo'>>;

export function buildLlamaGraph(checkpoint: Llama2cCheckpoint, options: LlamaGraphOptions = {}): LlamaGraph {
  const { config } = checkpoint;
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize, seqLen } = config;
  const kvDim = nKvHeads * headDim;
  const g = new GraphBuilder();
  const int64 = (values: readonly number[]): string => g.int64Constant(values);
  const scalar64 = (value: number): string => g.int64Constant([value], []);
  const float = (value: number): string => g.floatConstant([value]);

  const rmsNorm = (scope: string, x: string, weightName: string, weight: Float32Array): string => {
    const squared = g.op1(scope, 'Pow', [x, float(2)]);
    const meanSquare = g.op1(scope, 'ReduceMean', [squared], {
      attributes: [
        { name: 'axes', kind: 'ints', value: [-1] },
        { name: 'keepdims', kind: 'int', value: 1 },
      ],
    });
    const root = g.op1(scope, 'Sqrt', [g.op1(scope, 'Add', [meanSquare, float(RMS_NORM_EPS)])]);
    const inverse = g.op1(scope, 'Div', [float(1), root]);
    const normalized = g.op1(scope, 'Mul', [x, inverse]);
    return g.op1(scope, 'Mul', [g.weight(weightName, [dim], weight), normalized]);
  };

  /** x @ W^T for a PyTorch-layout weight W [out, in]. */
  const linear = (
    scope: string,
    x: string,
    weightName: string,
    w: Float32Array,
    out: number,
    inDim: number,
  ) => g.op1(scope, 'MatMul', [x, g.weight(weightName, [inDim, out], transpose(w, out, inDim))]);

  /** [B, S, heads * headDim] -> [B, heads, S, headDim]. */
  const splitHeads = (scope: string, x: string, heads: number): string =>
    g.op1(scope, 'Transpose', [g.op1(scope, 'Reshape', [x, int64([0, 0, heads, headDim])])], {
      attributes: [{ name: 'perm', kind: 'ints', value: [0, 2, 1, 3] }],
    });

  // --- Embeddings.
  const embeddings = g.op1('/model/embed_tokens', 'Gather', [
    g.weight('model.embed_tokens.weight', [vocabSize, dim], checkpoint.tokenEmbedding),
    'input_ids',
  ]);

  // --- Rotary tables gathered by position_ids: [B, 1, S, headDim], shared by all layers.
  const tables = rotaryTables(seqLen, headDim, ROPE_THETA);
  const rotary = (table: Float32Array, name: string): string => {
    const gathered = g.op1('/model/rotary_emb', 'Gather', [
      g.weight(name, [seqLen, headDim], table),
      'position_ids',
    ]);
    return g.op1('/model/rotary_emb', 'Unsqueeze', [gathered, int64([1])]);
  };
  const cos = rotary(tables.cos, 'model.rotary_emb.cos_table');
  const sin = rotary(tables.sin, 'model.rotary_emb.sin_table');

  // --- Attention mask [B, 1, S, T]: query i (at absolute index past + i) sees key j when
  // j <= past + i and attention_mask[b, j] is 1. Built from shapes, so any past length works.
  const seqLength = g.op1('/model', 'Gather', [g.op1('/model', 'Shape', ['input_ids']), scalar64(1)]);
  const totalLength = g.op1('/model', 'Gather', [g.op1('/model', 'Shape', ['attention_mask']), scalar64(1)]);
  const pastLength = g.op1('/model', 'Sub', [totalLength, seqLength]);
  const keyIndex = g.op1('/model', 'Range', [scalar64(0), totalLength, scalar64(1)]);
  const queryIndex = g.op1('/model', 'Add', [
    g.op1('/model', 'Range', [scalar64(0), seqLength, scalar64(1)]),
    pastLength,
  ]);
  const causal = g.op1('/model', 'LessOrEqual', [
    keyIndex,
    g.op1('/model', 'Unsqueeze', [queryIndex, int64([1])]),
  ]);
  const notPadding = g.op1('/model', 'Unsqueeze', [
    g.op1('/model', 'Cast', ['attention_mask'], {
      attributes: [{ name: 'to', kind: 'int', value: ELEMENT_TYPE.bool }],
    }),
    int64([1, 2]),
  ]);
  const visible = g.op1('/model', 'And', [causal, notPadding]);

  const rotateHalf = (scope: string, x: string): string => {
    const half = headDim / 2;
    const first = g.op1(scope, 'Slice', [x, int64([0]), int64([half]), int64([-1])]);
    const second = g.op1(scope, 'Slice', [x, int64([half]), int64([headDim]), int64([-1])]);
    return g.op1(scope, 'Concat', [g.op1(scope, 'Neg', [second]), first], {
      attributes: [{ name: 'axis', kind: 'int', value: -1 }],
    });
  };
  const applyRotary = (scope: string, x: string): string =>
    g.op1(scope, 'Add', [g.op1(scope, 'Mul', [x, cos]), g.op1(scope, 'Mul', [rotateHalf(scope, x), sin])]);

  /** Grouped-query attention: [B, kvHeads, T, d] -> [B, heads, T, d], each kv head repeated. */
  const repeatKv = (scope: string, x: string): string => {
    const groups = nHeads / nKvHeads;
    if (groups === 1) return x;
    const expanded = g.op1(scope, 'Expand', [
      g.op1(scope, 'Unsqueeze', [x, int64([2])]),
      int64([1, 1, groups, 1, 1]),
    ]);
    return g.op1(scope, 'Reshape', [expanded, int64([0, nHeads, -1, headDim])]);
  };

  let hidden = embeddings;
  checkpoint.layers.forEach((layer, i) => {
    const scope = `/model/layers.${i}`;
    const attn = `${scope}/self_attn`;
    const prefix = `model.layers.${i}`;

    const normed = rmsNorm(
      `${scope}/input_layernorm`,
      hidden,
      `${prefix}.input_layernorm.weight`,
      layer.rmsAtt,
    );
    const wq = interleavedToRotateHalfRows(layer.wq, nHeads, headDim, dim);
    const wk = interleavedToRotateHalfRows(layer.wk, nKvHeads, headDim, dim);
    const q = linear(
      `${attn}/q_proj`,
      normed,
      `${prefix}.self_attn.q_proj.weight`,
      wq,
      nHeads * headDim,
      dim,
    );
    const k = linear(`${attn}/k_proj`, normed, `${prefix}.self_attn.k_proj.weight`, wk, kvDim, dim);
    const v = linear(`${attn}/v_proj`, normed, `${prefix}.self_attn.v_proj.weight`, layer.wv, kvDim, dim);

    const queries = applyRotary(attn, splitHeads(attn, q, nHeads));
    const newKeys = applyRotary(attn, splitHeads(attn, k, nKvHeads));
    const newValues = splitHeads(attn, v, nKvHeads);
    const concatAxis2 = [{ name: 'axis', kind: 'int', value: 2 } as const];
    const keys = g.op1(attn, 'Concat', [`past_key_values.${i}.key`, newKeys], {
      attributes: concatAxis2,
      outputs: [`present.${i}.key`],
    });
    const values = g.op1(attn, 'Concat', [`past_key_values.${i}.value`, newValues], {
      attributes: concatAxis2,
      outputs: [`present.${i}.value`],
    });

    const keysT = g.op1(attn, 'Transpose', [repeatKv(attn, keys)], {
      attributes: [{ name: 'perm', kind: 'ints', value: [0, 1, 3, 2] }],
    });
    const scores = g.op1(attn, 'Mul', [g.op1(attn, 'MatMul', [queries, keysT]), float(headDim ** -0.5)]);
    const masked = g.op1(attn, 'Where', [visible, scores, float(MASKED_SCORE)]);
    const weights = g.op1(attn, 'Softmax', [masked], {
      attributes: [{ name: 'axis', kind: 'int', value: -1 }],
    });
    const context = g.op1(attn, 'MatMul', [weights, repeatKv(attn, values)]);
    const merged = g.op1(attn, 'Reshape', [
      g.op1(attn, 'Transpose', [context], {
        attributes: [{ name: 'perm', kind: 'ints', value: [0, 2, 1, 3] }],
      }),
      int64([0, 0, nHeads * headDim]),
    ]);
    const attnOut = linear(
      `${attn}/o_proj`,
      merged,
      `${prefix}.self_attn.o_proj.weight`,
      layer.wo,
      dim,
      nHeads * headDim,
    );
    const afterAttention = g.op1(scope, 'Add', [hidden, attnOut]);

    const mlp = `${scope}/mlp`;
    const normed2 = rmsNorm(
      `${scope}/post_attention_layernorm`,
      afterAttention,
      `${prefix}.post_attention_layernorm.weight`,
      layer.rmsFfn,
    );
    const gate = linear(
      `${mlp}/gate_proj`,
      normed2,
      `${prefix}.mlp.gate_proj.weight`,
      layer.w1,
      hiddenDim,
      dim,
    );
    const activated = g.op1(`${mlp}/act_fn`, 'Mul', [gate, g.op1(`${mlp}/act_fn`, 'Sigmoid', [gate])]);
    const up = linear(`${mlp}/up_proj`, normed2, `${prefix}.mlp.up_proj.weight`, layer.w3, hiddenDim, dim);
    const product = g.op1(mlp, 'Mul', [activated, up]);
    const down = linear(
      `${mlp}/down_proj`,
      product,
      `${prefix}.mlp.down_proj.weight`,
      layer.w2,
      dim,
      hiddenDim,
    );
    hidden = g.op1(scope, 'Add', [afterAttention, down]);
  });

  const finalNormed = rmsNorm('/model/norm', hidden, 'model.norm.weight', checkpoint.rmsFinal);
  g.op1(
    '/lm_head',
    'MatMul',
    [
      finalNormed,
      g.weight('lm_head.weight', [dim, vocabSize], transpose(checkpoint.classifier, vocabSize, dim)),
    ],
    {
      outputs: ['logits'],
    },
  );

  const kvShape = (length: string): (number | string)[] => [DIM.batch, nKvHeads, length, headDim];
  const kvNames = (kind: 'past_key_values' | 'present'): string[] =>
    Array.from({ length: nLayers }, (_, i) => [`${kind}.${i}.key`, `${kind}.${i}.value`]).flat();
  const inputs: OnnxValueInfo[] = [
    { name: 'input_ids', type: 'int64', shape: [DIM.batch, DIM.seq] },
    { name: 'attention_mask', type: 'int64', shape: [DIM.batch, DIM.total] },
    { name: 'position_ids', type: 'int64', shape: [DIM.batch, DIM.seq] },
    ...kvNames('past_key_values').map((name) => ({
      name,
      type: 'float32' as const,
      shape: kvShape(DIM.past),
    })),
  ];
  const outputs: OnnxValueInfo[] = [
    { name: 'logits', type: 'float32', shape: [DIM.batch, DIM.seq, vocabSize] },
    ...kvNames('present').map((name) => ({ name, type: 'float32' as const, shape: kvShape(DIM.total) })),
  ];
  if (options.exposeHiddenStates) {
    const names = hiddenStateTensorNames(nLayers);
    for (const name of [names.embeddings, ...names.blockOutputs, names.finalNorm]) {
      outputs.push({ name, type: 'float32', shape: [DIM.batch, DIM.seq, dim] });
    }
  }
  return { name: 'llama2c', nodes: g.nodes, initializers: g.initializers, inputs, outputs };
}

/** The `.onnx` file bytes of a llama2.c checkpoint. */
export function llamaOnnxModel(checkpoint: Llama2cCheckpoint, options: LlamaGraphOptions = {}): Uint8Array {
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    producerName: 'linscope-llama2c',
    opsetImports: [{ version: OPSET_VERSION }],
    graph: buildLlamaGraph(checkpoint, options),
  });
}
