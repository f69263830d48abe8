/**
 * tests/fixtures/compare/finetune/ (made by tools/finetune-compare.mjs): the CLI's results of the base
 * model and each checkpoint of its fine-tune on two committed texts, inputs for the compare view's tests.
 * Checks that they are what index.json says: one result per model and text, of that model, of exactly
 * that text (the base's tokenizer gives the same ids), with the scores index.json and the README quote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINETUNE_MODELS, PUBLIC_MODELS, ROOT } from '../support/models';

const DIR = join(ROOT, 'tests/fixtures/compare/finetune');

interface Run {
  model: string;
  name: string;
  step: number;
  text: string;
  file: string;
  tokens: number;
  linearity: number[];
  linearityHeldOut: (number | null)[];
}

interface Result {
  schema: string;
  model: { id: string; layers: number; hidden: number };
  tokens: { id: number; text: string }[];
  layers: { linearity: number; n: number; heldOut: { linearity: number } | null }[];
}

const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as {
  texts: Record<string, { file: string }>;
  runs: Run[];
};
const readResult = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Result;

beforeAll(() => {
  env.localModelPath = `${PUBLIC_MODELS}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe('tests/fixtures/compare/finetune', () => {
  const models = ['public/models/linscope/tiny-gpt2', ...FINETUNE_MODELS.map((id) => `public/models/${id}`)];

  it('holds one result per model (base + each checkpoint) and text', () => {
    expect(Object.keys(index.texts).sort()).toEqual(['kjv', 'stories']);
    for (const text of Object.keys(index.texts)) {
      expect(index.runs.filter((r) => r.text === text).map((r) => r.model)).toEqual(models);
    }
    for (const r of index.runs) expect(existsSync(join(DIR, r.file)), r.file).toBe(true);
  });

  it.each(index.runs.map((r) => [r.file, r] as const))('%s is that model on that text', async (_f, run) => {
    const result = readResult(run.file);
    expect(result.schema).toBe('linscope.result/v1');
    expect(result.model.id).toBe(run.model);
    expect([result.model.layers, result.model.hidden]).toEqual([4, 128]);
    const text = readFileSync(join(DIR, index.texts[run.text].file), 'utf8');
    expect(result.tokens.map((t) => t.text).join('')).toBe(text);
    const tokenizer = await AutoTokenizer.from_pretrained('linscope/tiny-gpt2', { local_files_only: true });
    expect(result.tokens.map((t) => t.id)).toEqual(tokenizer.encode(text));
    expect(result.layers.map((l) => l.linearity)).toEqual(run.linearity);
    expect(result.layers.map((l) => l.heldOut?.linearity ?? null)).toEqual(run.linearityHeldOut);
    expect(result.layers[0].n).toBe(run.tokens);
  });

  it("the fixture README's tables quote these scores", () => {
    const readme = readFileSync(join(PUBLIC_MODELS, 'fixtures/tiny-gpt2-finetune/README.md'), 'utf8');
    for (const r of index.runs) {
      expect(readme).toContain(`| ${r.name} | ${r.linearity.map((x) => x.toFixed(4)).join(' | ')} |`);
    }
  });
});
