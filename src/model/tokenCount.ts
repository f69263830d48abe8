/**
 * How many tokens texts make for a model, and its context length, from its tokenizer and config
 * alone (no weights): what the page shows before a run, so a text longer than the context is no
 * surprise.
 */
import type { LinScopeRuntime } from './augmentingRuntime';
import { type ModelConfig, readModelConfig } from './config';
import { hubOptions, loadsFromHub } from './hubAccess';
import { loadFailure } from './loadFailure';

export interface TokenCount {
  tokens: number;
  /** The model's context length, or null where its config does not say. */
  contextLength: number | null;
  /** The model's hidden width d, or null where its config does not say. */
  hidden: number | null;
}

/** A model as these read it: its id and revision, and whether the Hub may be asked (hubAccess.ts). */
interface ModelFilesRequest {
  id: string;
  revision?: string;
  hub?: boolean;
}

export async function countTokens(
  rt: LinScopeRuntime,
  model: ModelFilesRequest,
  texts: readonly string[],
): Promise<TokenCount> {
  const { AutoTokenizer } = rt.transformers;
  const fromHub = loadsFromHub(rt, model.hub);
  const options = { revision: model.revision ?? 'main', ...hubOptions(fromHub) };
  const [tokenizer, config] = await Promise.all([
    AutoTokenizer.from_pretrained(model.id, options).catch((error: unknown) => {
      throw loadFailure(error, model.id, 'tokenizer', undefined, fromHub, rt.fetchFailures);
    }),
    loadModelConfig(rt, model),
  ]);
  const tokens = texts.reduce((sum, text) => sum + (text.trim() ? tokenizer.encode(text).length : 0), 0);
  const { contextLength, hidden } = config;
  return { tokens, contextLength, hidden };
}

/** A model's config alone (no tokenizer, no weights): what a fit opened from a file is checked against. */
export async function loadModelConfig(rt: LinScopeRuntime, model: ModelFilesRequest): Promise<ModelConfig> {
  const fromHub = loadsFromHub(rt, model.hub);
  const config = await rt.transformers.AutoConfig.from_pretrained(model.id, {
    revision: model.revision ?? 'main',
    ...hubOptions(fromHub),
  }).catch((error: unknown) => {
    throw loadFailure(error, model.id, 'config', undefined, fromHub, rt.fetchFailures);
  });
  return readModelConfig(config);
}
