/**
 * Where the test models are: the ones committed under public/models/, and stories260K, converted from
 * ../shared/models/stories260K/ into a fresh temporary folder in the transformers.js layout.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertLlama2cFolder } from '../../tools/convert-llama2c';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PUBLIC_MODELS = join(ROOT, 'public/models');
export const STORIES_DIR = join(ROOT, '../shared/models/stories260K');
export const STORIES_ID = 'karpathy/stories260K';

/** Convert stories260K into `<tmp>/karpathy/stories260K`; returns the models root and a cleanup. */
export async function convertStories260K(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'linscope-models-'));
  await convertLlama2cFolder(
    join(STORIES_DIR, 'stories260K.bin'),
    join(STORIES_DIR, 'tok512.bin'),
    join(root, STORIES_ID),
  );
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * The models under public/models that every engine test runs and compares with PyTorch: one tiny
 * random-weight fixture per architecture (made by tools/models/), the genai-fused graph, and the
 * embedded default model. Node tests require each of them; the Chromium tests run them all.
 */
export const REFERENCE_MODELS = [
  'fixtures/tiny-random-gpt2',
  'fixtures/tiny-random-llama',
  'fixtures/tiny-random-qwen2',
  'fixtures/tiny-random-gpt-neox',
  'fixtures/tiny-random-opt',
  'fixtures/tiny-random-phi',
  'fixtures/tiny-random-phi3',
  'fixtures/tiny-random-bloom',
  'fixtures/tiny-random-olmo2',
  'fixtures/tiny-random-gpt-neo',
  'fixtures/genai-fused-llama',
  'linscope/tiny-gpt2',
] as const;

/**
 * The checkpoints of a brief fine-tune of the default model on children's stories
 * (tools/models/finetune_tiny_gpt2.py; public/models/fixtures/tiny-gpt2-finetune/README.md): fp32 only,
 * each with a PyTorch reference. With linscope/tiny-gpt2 they make a real base / fine-tuned pair; the
 * last one is "the fine-tuned model".
 */
export const FINETUNE_MODELS = [
  'fixtures/tiny-gpt2-finetune/step-8',
  'fixtures/tiny-gpt2-finetune/step-40',
  'fixtures/tiny-gpt2-finetune/step-200',
] as const;

/**
 * Where transformers.js finds a model under public/models: its `env.localModelPath` and the id to ask
 * for. It takes a local id for a Hub-style `org/name` only (one slash); a deeper folder such as
 * `fixtures/tiny-gpt2-finetune/step-8` is opened the way the CLI opens a folder (cli/main.ts): the
 * parent folder becomes the local model path and the last name the id.
 */
export function modelLocation(id: string): { localModelPath: string; id: string } {
  const parts = id.split('/');
  if (parts.length <= 2) return { localModelPath: `${PUBLIC_MODELS}/`, id };
  return { localModelPath: `${join(PUBLIC_MODELS, ...parts.slice(0, -1))}/`, id: parts[parts.length - 1] };
}

/** The architecture fixtures committed under public/models/fixtures/ that have a PyTorch reference. */
export function fixtureIds(): string[] {
  const dir = join(PUBLIC_MODELS, 'fixtures');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'reference.safetensors')))
    .map((name) => `fixtures/${name}`)
    .sort();
}
