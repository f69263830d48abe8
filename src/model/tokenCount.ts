/**
 * How many tokens texts make for a model, and its context length, from its tokenizer and config
 * alone (no weights): what the page shows before a run, so a text longer than the context is no
 * surprise.
 */
import type { LinScopeRuntime } from './augmentingRuntime';
import { type ModelConfig, readModelConfig } from './config';
import { loadFailure } from './loadFailure';

export interface TokenCount {
  tokens: number;
  /** The model's context length, or null where its config does not say. */
  contextLength: number | null;
  /** The model's hidden width d, or null where its config does not say. */
  hidden: number | null;
}

/** Whether the Hub may be asked: when not, a model's files are served beside the app. */
const fromHub = (rt: LinScopeRuntime) => rt.transformers.env.allowRemoteModels !== false;

export async function countTokens(
  rt: LinScopeRuntime,
  model: { id: string; revision?: string },
  texts: readonly string[],
): Promise<TokenCount> {
  const { AutoTokenizer } = rt.transformers;
  const options = { revision: model.revision ?? 'main' };
  const [tokenizer, config] = await Promise.all([
    AutoTokenizer.from_pretrained(model.id, options).catch((error: unknown) => {
      throw loadFailure(error, model.id, 'tokenizer', undefined, fromHub(rt), rt.fetchFailures);
    }),
    loadModelConfig(rt, model),
  ]);
  const tokens = texts.reduce((sum, text) => sum + (text.trim() ? tokenizer.encode(text).length : 0), 0);
  const { contextLength, hidden } = config;
  return { tokens, contextLength, hidden };
}

/** A model's config alone (no tokenizer, no weights): what a fit opened from a file is checked against. */
export async function loadModelConfig(
  rt: LinScopeRuntime,
  model: { id: string; revision?: string },
): Promise<ModelConfig> {
  const config = await rt.transformers.AutoConfig.from_pretrained(model.id, {
    revision: model.revision ?? 'main',
  }).catch((error: unknown) => {
    throw loadFailure(error, model.id, 'config', undefined, fromHub(rt), rt.fetchFailures);
  });
  return readModelConfig(config);
}
