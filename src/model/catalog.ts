/**
 * The models the explorer offers by name. `bundled` ones ship with LinScope (under `models/`) and
 * work offline; `hub` ones are downloaded from the Hugging Face Hub on request, after the user
 * agreed to the download size. Sizes are those of the ONNX files on the Hub, rounded.
 */
import type { ModelDtype } from './config';

export interface CatalogModel {
  id: string;
  label: string;
  source: 'bundled' | 'hub';
  /** Download size in MB per dtype offered (the first is the default). */
  sizes: Partial<Record<ModelDtype, number>>;
  layers: number;
  hidden: number;
  notes: string;
}

export const DEFAULT_MODEL_ID = 'linscope/tiny-gpt2';

export const CATALOG: readonly CatalogModel[] = [
  {
    id: DEFAULT_MODEL_ID,
    // Short enough for the picker's closed select in the side column; the group and notes say the rest.
    label: 'LinScope tiny GPT-2',
    source: 'bundled',
    sizes: { fp32: 8, q8: 4 },
    layers: 4,
    hidden: 128,
    notes: 'Ships with LinScope; works offline. Trained on the King James Bible and the Jargon File.',
  },
  {
    id: 'Xenova/gpt2',
    label: 'GPT-2 (124M)',
    source: 'hub',
    sizes: { q8: 127, fp16: 251, fp32: 501 },
    layers: 12,
    hidden: 768,
    notes: 'The model of the paper’s figures. fp16 needs WebGPU with shader-f16.',
  },
  {
    id: 'Xenova/distilgpt2',
    label: 'DistilGPT2 (82M)',
    source: 'hub',
    sizes: { q8: 84, fp32: 333 },
    layers: 6,
    hidden: 768,
    notes: 'A 6-layer distillation of GPT-2.',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M',
    label: 'SmolLM2-135M',
    source: 'hub',
    sizes: { q8: 138, fp32: 540 },
    layers: 30,
    hidden: 576,
    notes: 'Llama architecture, 30 layers.',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    label: 'SmolLM2-135M-Instruct',
    source: 'hub',
    sizes: { q8: 138, fp32: 540 },
    layers: 30,
    hidden: 576,
    notes: 'The instruction-tuned twin: compare with the base model (fine-tuning raises linearity).',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B',
    label: 'Qwen2.5-0.5B',
    source: 'hub',
    sizes: { q4: 786, q8: 500, fp32: 1980 },
    layers: 24,
    hidden: 896,
    notes: 'Large: prefer WebGPU; fp32 uses external data files.',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5-0.5B-Instruct',
    source: 'hub',
    sizes: { q4: 786, q8: 500, fp32: 1980 },
    layers: 24,
    hidden: 896,
    notes: 'The instruction-tuned twin of Qwen2.5-0.5B.',
  },
  {
    id: 'Xenova/pythia-70m-deduped',
    label: 'Pythia-70M (deduped)',
    source: 'hub',
    sizes: { q8: 75, fp32: 286 },
    layers: 6,
    hidden: 512,
    notes: 'GPT-NeoX with parallel residual; the paper finds it less linear than most.',
  },
  {
    id: 'Xenova/pythia-14m',
    label: 'Pythia-14M',
    source: 'hub',
    sizes: { q8: 19, fp32: 61 },
    layers: 6,
    hidden: 128,
    notes: 'Tiny GPT-NeoX; quick to download.',
  },
  {
    id: 'Xenova/llama2.c-stories15M',
    label: 'TinyStories 15M (llama2.c)',
    source: 'hub',
    sizes: { q8: 25, fp32: 98 },
    layers: 6,
    hidden: 288,
    notes: 'Llama architecture trained on TinyStories.',
  },
];

/**
 * A model LinScope does not list: one served beside the app (under `models/`, like the test
 * fixtures), or any other Hub id, which may or may not work and whose size is unknown.
 */
export function unlistedModel(id: string, served: boolean): CatalogModel {
  return served
    ? { id, label: id, source: 'bundled', sizes: { fp32: 0, q8: 0 }, layers: 0, hidden: 0, notes: '' }
    : {
        id,
        label: id,
        source: 'hub',
        sizes: {},
        layers: 0,
        hidden: 0,
        notes: 'Not in LinScope’s list: it may not work.',
      };
}

/** LinScope's reference corpora (`public/corpus/`), one per domain a bundled or listed model was trained on. */
export const BUNDLED_REFERENCE_FILES = ['reference-en.txt', 'reference-stories.txt'] as const;
export type BundledReferenceFile = (typeof BUNDLED_REFERENCE_FILES)[number];

/**
 * The bundled reference corpus from `modelId`'s own domain: the TinyStories models (llama2.c's
 * `stories*` checkpoints: stories260K, stories15M) get short stories, every other model
 * public-domain English (docs/analysis.md, "The reference sample").
 */
export function bundledReferenceFile(modelId: string): BundledReferenceFile {
  return /stories/i.test(modelId) ? 'reference-stories.txt' : 'reference-en.txt';
}

/** Downloads above this many MB ask first. */
export const ASK_BEFORE_MB = 50;

/** Hub ids look like `owner/name` (letters, digits, `-`, `_`, `.`). */
export function isHubId(value: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/.test(value) && !value.includes('..')
  );
}
