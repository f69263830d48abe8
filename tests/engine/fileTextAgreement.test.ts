/**
 * A `.linscope.json` file whose text is not the text its tokens came from gets its text rebuilt
 * from the tokens (src/share/stateResultAgreement.ts). The comparison must hold for every real
 * tokenizer's round trip (byte-level BPE, SentencePiece with its `▁` and byte fallback, normalizers)
 * on awkward text, or an honest file would be "corrected": each fixture's own tokenizer is run here.
 */
import { describe, expect, it } from 'vitest';
import { runAnalyzeJob } from '../../src/job/analyze';
import { DEFAULT_SETTINGS } from '../../src/job/settings';
import { nodeRuntime, readModelsFromFolder } from '../../src/model/nodeRuntime';
import { textMatchesTokens } from '../../src/share/stateResultAgreement';
import { convertStories260K, PUBLIC_MODELS, STORIES_ID } from '../support/models';

const DOCUMENTS = [
  'Café naïve façade — “quoted”   with  three spaces,\ttabs,\nand a line break.',
  'Numbers 3.14159 and 1,000,000; émoji 👩‍🔬🚀 and 東京タワー and Ελληνικά and a combining e\u0301.',
  '   leading spaces and trailing ones   ',
];

const MODELS = [
  'fixtures/tiny-random-gpt2',
  'fixtures/tiny-random-llama',
  'fixtures/tiny-random-qwen2',
  'fixtures/tiny-random-gpt-neox',
  'fixtures/tiny-random-opt',
  'fixtures/tiny-random-phi3',
  'linscope/tiny-gpt2',
];

async function expectAgreement(root: string, id: string): Promise<void> {
  const rt = await nodeRuntime();
  readModelsFromFolder(rt, root);
  const output = await runAnalyzeJob(rt, {
    model: { id, dtype: 'fp32', device: 'cpu' },
    texts: DOCUMENTS,
    settings: DEFAULT_SETTINGS,
    reference: null,
  });
  const result = { tokens: output.head.tokens };
  expect(new Set(result.tokens.map((t) => t.doc)).size).toBe(DOCUMENTS.length);
  const text = DOCUMENTS.join('\n\n');
  expect(textMatchesTokens({ text, corpus: true }, result)).toBe(true);
  // A word changed, a document dropped, the documents in another order: not the same text.
  expect(textMatchesTokens({ text: text.replace('façade', 'facade wall'), corpus: true }, result)).toBe(
    false,
  );
  expect(textMatchesTokens({ text: DOCUMENTS.slice(1).join('\n\n'), corpus: true }, result)).toBe(false);
  const reordered = [DOCUMENTS[1], DOCUMENTS[0], DOCUMENTS[2]].join('\n\n');
  expect(textMatchesTokens({ text: reordered, corpus: true }, result)).toBe(false);
}

describe('a text agrees with the tokens a real tokenizer made of it', () => {
  for (const id of MODELS) it(id, () => expectAgreement(PUBLIC_MODELS, id));

  it(`${STORIES_ID} (llama2.c's 512-token vocabulary, byte fallback)`, async () => {
    const { root, cleanup } = await convertStories260K();
    try {
      await expectAgreement(root, STORIES_ID);
    } finally {
      await cleanup();
    }
  });
});
