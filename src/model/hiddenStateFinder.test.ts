import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { ADDED_LAST_BLOCK_OUTPUT, findHiddenStates } from './hiddenStateFinder';
import type { OnnxGraph, OnnxNode } from './onnx/reader';

const node = (
  name: string,
  opType: string,
  inputs: string[],
  outputs: string[] = [`${name}_output_0`],
): OnnxNode => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  hasSubgraph: false,
  attributes: [],
});

const graphOf = (nodes: OnnxNode[], initializers: string[] = []): OnnxGraph => ({
  nodes,
  inputs: ['input_ids', 'attention_mask'],
  outputs: ['logits'],
  initializers: new Set(initializers),
  usesExternalData: false,
  externalDataFiles: new Set(),
  externalDataEnds: new Map(),
});

/** A GPT-2-style block as torch.onnx.export names it: ln_1, attn, Add, ln_2, mlp, Add_1. */
function gpt2Block(i: number, input: string): OnnxNode[] {
  const p = `/transformer/h.${i}`;
  return [
    node(`${p}/ln_1/LayerNormalization`, 'LayerNormalization', [input, 'g', 'b']),
    node(`${p}/attn/c_attn/MatMul`, 'MatMul', [`${p}/ln_1/LayerNormalization_output_0`, 'w']),
    // The attention mask is read from outside the block too (by an attention-level Add).
    node(`${p}/attn/Add`, 'Add', [`${p}/attn/c_attn/MatMul_output_0`, '/transformer/mask_output_0']),
    node(`${p}/attn/c_proj/Add`, 'Add', [`${p}/attn/Add_output_0`, 'bias']),
    node(`${p}/Add`, 'Add', [`${p}/attn/c_proj/Add_output_0`, input]),
    node(`${p}/ln_2/LayerNormalization`, 'LayerNormalization', [`${p}/Add_output_0`, 'g', 'b']),
    node(`${p}/mlp/c_proj/MatMul`, 'MatMul', [`${p}/ln_2/LayerNormalization_output_0`, 'w']),
    node(`${p}/Add_1`, 'Add', [`${p}/Add_output_0`, `${p}/mlp/c_proj/MatMul_output_0`]),
  ];
}

function gpt2Graph(layers: number): OnnxGraph {
  const nodes = [
    node('/transformer/wte/Gather', 'Gather', ['wte', 'input_ids']),
    node('/transformer/wpe/Gather', 'Gather', ['wpe', 'position_ids']),
    node('/transformer/Add', 'Add', ['/transformer/wte/Gather_output_0', '/transformer/wpe/Gather_output_0']),
    node('/transformer/mask', 'Where', ['attention_mask']),
  ];
  let input = '/transformer/Add_output_0';
  for (let i = 0; i < layers; i++) {
    nodes.push(...gpt2Block(i, input));
    input = `/transformer/h.${i}/Add_1_output_0`;
  }
  nodes.push(node('/transformer/ln_f/LayerNormalization', 'LayerNormalization', [input, 'g', 'b']));
  nodes.push(
    node('/lm_head/MatMul', 'MatMul', ['/transformer/ln_f/LayerNormalization_output_0', 'w'], ['logits']),
  );
  return graphOf(nodes, ['g', 'b', 'w', 'bias', 'wte', 'wpe']);
}

describe('findHiddenStates()', () => {
  it('finds the L+1 states of a GPT-2-style residual graph in output_hidden_states order', () => {
    const plan = findHiddenStates(gpt2Graph(3), { layers: 3 });
    expect(plan.style).toBe('residual-add');
    expect(plan.hiddenStates).toEqual([
      '/transformer/Add_output_0',
      '/transformer/h.0/Add_1_output_0',
      '/transformer/h.1/Add_1_output_0',
      '/transformer/ln_f/LayerNormalization_output_0',
    ]);
    expect(plan.lastBlockOutput).toBe('/transformer/h.2/Add_1_output_0');
    expect(plan.extraNodes).toEqual([]);
  });

  it('ignores quantisation nodes that borrow a scope name', () => {
    const g = gpt2Graph(2);
    const normOut = '/transformer/ln_f/LayerNormalization_output_0';
    const head = g.nodes.findIndex((n) => n.name === '/lm_head/MatMul');
    g.nodes.splice(
      head,
      1,
      node(`${normOut}_QuantizeLinear`, 'DynamicQuantizeLinear', [normOut], ['q', 'scale', 'zp']),
      node('/lm_head/MatMul_quant', 'MatMulInteger', ['q', 'w'], ['logits']),
    );
    expect(findHiddenStates(g, { layers: 2 }).hiddenStates[2]).toBe(normOut);
  });

  it('finds the states of a parallel-residual (GPT-NeoX) block', () => {
    const nodes: OnnxNode[] = [node('/gpt_neox/embed_in/Gather', 'Gather', ['emb', 'input_ids'])];
    let input = '/gpt_neox/embed_in/Gather_output_0';
    for (let i = 0; i < 2; i++) {
      const p = `/gpt_neox/layers.${i}`;
      nodes.push(
        node(`${p}/input_layernorm/LayerNormalization`, 'LayerNormalization', [input]),
        node(`${p}/post_attention_layernorm/LayerNormalization`, 'LayerNormalization', [input]),
        node(`${p}/attention/dense/MatMul`, 'MatMul', [
          `${p}/input_layernorm/LayerNormalization_output_0`,
          'w',
        ]),
        node(`${p}/mlp/dense_4h_to_h/MatMul`, 'MatMul', [
          `${p}/post_attention_layernorm/LayerNormalization_output_0`,
          'w',
        ]),
        node(`${p}/Add`, 'Add', [
          `${p}/mlp/dense_4h_to_h/MatMul_output_0`,
          `${p}/attention/dense/MatMul_output_0`,
        ]),
        node(`${p}/Add_1`, 'Add', [`${p}/Add_output_0`, input]),
      );
      input = `${p}/Add_1_output_0`;
    }
    nodes.push(node('/gpt_neox/final_layer_norm/LayerNormalization', 'LayerNormalization', [input]));
    nodes.push(
      node(
        '/embed_out/MatMul',
        'MatMul',
        ['/gpt_neox/final_layer_norm/LayerNormalization_output_0', 'w'],
        ['logits'],
      ),
    );
    const plan = findHiddenStates(graphOf(nodes, ['w', 'emb']), { layers: 2 });
    expect(plan.hiddenStates).toEqual([
      '/gpt_neox/embed_in/Gather_output_0',
      '/gpt_neox/layers.0/Add_1_output_0',
      '/gpt_neox/final_layer_norm/LayerNormalization_output_0',
    ]);
  });

  it('finds residual Adds that the attention and MLP submodules do themselves (BLOOM, MPT)', () => {
    const nodes: OnnxNode[] = [
      node('/transformer/word_embeddings/Gather', 'Gather', ['emb', 'input_ids']),
      node('/transformer/word_embeddings_layernorm/LayerNormalization', 'LayerNormalization', [
        '/transformer/word_embeddings/Gather_output_0',
      ]),
      node('/transformer/alibi', 'Where', ['attention_mask']),
    ];
    let input = '/transformer/word_embeddings_layernorm/LayerNormalization_output_0';
    for (let i = 0; i < 3; i++) {
      const p = `/transformer/h.${i}`;
      nodes.push(
        node(`${p}/input_layernorm/LayerNormalization`, 'LayerNormalization', [input]),
        node(`${p}/self_attention/MatMul`, 'MatMul', [
          `${p}/input_layernorm/LayerNormalization_output_0`,
          'w',
        ]),
        // The ALiBi bias, read from outside the block by an Add inside the attention.
        node(`${p}/self_attention/Add_1`, 'Add', [
          `${p}/self_attention/MatMul_output_0`,
          '/transformer/alibi_output_0',
        ]),
        node(`${p}/self_attention/dense/MatMul`, 'MatMul', [`${p}/self_attention/Add_1_output_0`, 'w']),
        node(`${p}/self_attention/dense/Add`, 'Add', ['bias', `${p}/self_attention/dense/MatMul_output_0`]),
        node(`${p}/self_attention/Add_2`, 'Add', [input, `${p}/self_attention/dense/Add_output_0`]),
        node(`${p}/post_attention_layernorm/LayerNormalization`, 'LayerNormalization', [
          `${p}/self_attention/Add_2_output_0`,
        ]),
        node(`${p}/mlp/dense_4h_to_h/MatMul`, 'MatMul', [
          `${p}/post_attention_layernorm/LayerNormalization_output_0`,
          'w',
        ]),
        node(`${p}/mlp/Add`, 'Add', [
          `${p}/self_attention/Add_2_output_0`,
          `${p}/mlp/dense_4h_to_h/MatMul_output_0`,
        ]),
      );
      input = `${p}/mlp/Add_output_0`;
    }
    nodes.push(node('/transformer/ln_f/LayerNormalization', 'LayerNormalization', [input]));
    nodes.push(
      node('/lm_head/MatMul', 'MatMul', ['/transformer/ln_f/LayerNormalization_output_0', 'emb'], ['logits']),
    );
    const plan = findHiddenStates(graphOf(nodes, ['w', 'emb', 'bias']), { layers: 3 });
    expect(plan.hiddenStates).toEqual([
      '/transformer/word_embeddings_layernorm/LayerNormalization_output_0',
      '/transformer/h.0/mlp/Add_output_0',
      '/transformer/h.1/mlp/Add_output_0',
      '/transformer/ln_f/LayerNormalization_output_0',
    ]);
    expect(plan.lastBlockOutput).toBe('/transformer/h.2/mlp/Add_output_0');
  });

  it('keeps a sum that its own block reads through a quantisation node inside the block (q8 OLMo-2)', () => {
    // OLMo-2 has no norm before its MLP: in a q8 file the MLP's MatMulInteger reads the mid-block sum
    // through a DynamicQuantizeLinear whose name gives it no layer.
    const g = gpt2Graph(2);
    for (const i of [0, 1]) {
      const p = `/transformer/h.${i}`;
      const at = g.nodes.findIndex((n) => n.name === `${p}/mlp/c_proj/MatMul`);
      g.nodes.splice(
        at,
        1,
        node(
          `${p}/Add_output_0_QuantizeLinear`,
          'DynamicQuantizeLinear',
          [`${p}/Add_output_0`],
          [`${p}/q`, `${p}/s`, `${p}/z`],
        ),
        node(
          `${p}/mlp/c_proj/MatMul_quant`,
          'MatMulInteger',
          [`${p}/q`, 'w'],
          [`${p}/mlp/c_proj/MatMul_output_0`],
        ),
      );
    }
    const plan = findHiddenStates(g, { layers: 2 });
    expect(plan.hiddenStates[1]).toBe('/transformer/h.0/Add_1_output_0');
    expect(plan.lastBlockOutput).toBe('/transformer/h.1/Add_1_output_0');
  });

  it('reads a fused onnxruntime-genai graph and adds one Add for the last pre-norm state', () => {
    const nodes: OnnxNode[] = [
      node('/model/embed_tokens/Gather', 'Gather', ['emb', 'input_ids']),
      node('/model/layers.0/input_layernorm/LayerNorm', 'SimplifiedLayerNormalization', [
        '/model/embed_tokens/Gather_output_0',
        'g',
      ]),
      node(
        '/model/layers.0/post_attention_layernorm/SkipLayerNorm',
        'SkipSimplifiedLayerNormalization',
        ['attn0', '/model/embed_tokens/Gather_output_0', 'g'],
        ['n0', '', '', 'r0'],
      ),
      node(
        '/model/layers.1/input_layernorm/SkipLayerNorm',
        'SkipSimplifiedLayerNormalization',
        ['mlp0', 'r0', 'g'],
        ['n1', '', '', 'h1'],
      ),
      node(
        '/model/layers.1/post_attention_layernorm/SkipLayerNorm',
        'SkipSimplifiedLayerNormalization',
        ['attn1', 'h1', 'g'],
        ['n2', '', '', 'r1'],
      ),
      node(
        '/model/layers.2/final_norm_layernorm/SkipLayerNorm',
        'SkipSimplifiedLayerNormalization',
        ['mlp1', 'r1', 'g'],
        ['final'],
      ),
      node('/lm_head/MatMul', 'MatMul', ['final', 'w'], ['logits']),
    ];
    const plan = findHiddenStates(graphOf(nodes, ['g', 'w', 'emb']), { layers: 2 });
    expect(plan.style).toBe('fused-skip-norm');
    expect(plan.hiddenStates).toEqual(['/model/embed_tokens/Gather_output_0', 'h1', 'final']);
    expect(plan.lastBlockOutput).toBe(ADDED_LAST_BLOCK_OUTPUT);
    expect(plan.extraNodes).toEqual([
      {
        name: ADDED_LAST_BLOCK_OUTPUT,
        opType: 'Add',
        inputs: ['mlp1', 'r1'],
        output: ADDED_LAST_BLOCK_OUTPUT,
      },
    ]);
  });

  it('refuses an If-merged decoder with a message naming the file to use instead', () => {
    const g = graphOf([{ ...node('optimum::if', 'If', ['use_cache_branch']), hasSubgraph: true }]);
    expect(() => findHiddenStates(g)).toThrowError(/model\.onnx/);
    try {
      findHiddenStates(g);
    } catch (error) {
      expect((error as LinScopeError).code).toBe('UNSUPPORTED_GRAPH');
    }
  });

  it('blames a layer count the graph does not have on the config, not on the graph', () => {
    for (const layers of [5, 99, 1]) {
      try {
        findHiddenStates(gpt2Graph(3), { layers });
        expect.unreachable();
      } catch (error) {
        expect((error as LinScopeError).code).toBe('BAD_INPUT');
        expect((error as Error).message).toBe(
          `This model's config.json says ${layers} layers, but its ONNX graph has 3 (layer scopes 0..2): the config and the weights do not belong together. Use the config.json of the same export as onnx/model.onnx.`,
        );
      }
    }
  });

  it('refuses a graph missing a layer between others', () => {
    const g = gpt2Graph(3);
    const without1 = { ...g, nodes: g.nodes.filter((n) => !n.name.includes('h.1/')) };
    expect(() => findHiddenStates(without1, { layers: 3 })).toThrowError(/layer 1 has no nodes/);
  });

  it('refuses a graph without layer scopes instead of guessing', () => {
    const g = graphOf([node('MatMul_0', 'MatMul', ['input_ids', 'w'], ['logits'])]);
    expect(() => findHiddenStates(g)).toThrowError(/no node names carry a layer index/);
  });

  it('refuses a block whose residual chain does not continue from the previous block', () => {
    const g = gpt2Graph(2);
    const add = g.nodes.find((n) => n.name === '/transformer/h.1/Add')!;
    add.inputs[1] = '/transformer/Add_output_0'; // block 1 skips block 0's output
    expect(() => findHiddenStates(g, { layers: 2 })).toThrowError(LinScopeError);
  });
});
