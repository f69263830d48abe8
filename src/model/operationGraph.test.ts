import { describe, expect, it } from 'vitest';
import { isOperationGraph } from './augmentingRuntime';

describe('isOperationGraph()', () => {
  it('passes transformers.js’s weightless operation graphs (top-k: x and k in, no weights)', () => {
    expect(isOperationGraph({ inputs: ['x', 'k'], initializers: new Set() })).toBe(true);
  });

  it('keeps every model for augmentation: a decoder, and a model that is no decoder (refused later)', () => {
    expect(
      isOperationGraph({ inputs: ['input_ids', 'attention_mask'], initializers: new Set(['wte']) }),
    ).toBe(false);
    expect(isOperationGraph({ inputs: ['inputs_embeds'], initializers: new Set() })).toBe(false);
    expect(isOperationGraph({ inputs: ['pixel_values'], initializers: new Set(['conv.weight']) })).toBe(
      false,
    );
  });
});
