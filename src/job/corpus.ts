/** Corpora as LinScope reads them: a file of documents, and the reference corpus the per-token maps are fitted on. */
import { LinScopeError } from '../errors';

/** Texts the per-token maps are fitted on: LinScope's own (`bundled`) or the user's. */
/** The texts the per-token maps are fitted on: LinScope's corpus, the user's, or the model's own samples. */
export type ReferenceCorpus = TextReference | ModelTextReference;

/** A corpus of texts: LinScope's (`bundled`) or one the user gave. */
export interface TextReference {
  source: 'bundled' | 'user';
  name: string;
  texts: string[];
}

/**
 * The model's own text: samples it writes from BOS at temperature 1 with a seeded generator, made
 * when a fit needs them (`job/modelTexts.ts`). Being the model's own distribution, nothing in them
 * is foreign to it; the fit is cached by seed, so the samples are written once per model.
 */
export interface ModelTextReference {
  source: 'model';
  name: string;
  seed: number;
}

/**
 * Why a reference of `tokens` tokens cannot serve a model of width `hidden`, or null. A map from
 * d dimensions fitted on n <= d tokens interpolates them: its errors, and every per-token value
 * measured against them, mean nothing (docs/analysis.md).
 */
export function referenceTooSmall(name: string, tokens: number, hidden: number | null): string | null {
  if (hidden === null || tokens > hidden) return null;
  return (
    `The reference corpus “${name}” has ${tokens.toLocaleString('en')} tokens for a model of width d = ${hidden}: ` +
    'per-token maps need more tokens than dimensions (a map fitted on fewer only interpolates them). ' +
    `Choose a longer corpus: ${(8 * hidden).toLocaleString('en')} tokens or more, or LinScope’s.`
  );
}

/** The model's own text with `seed`, named as the page and the CLI show it. */
export function modelTextReference(seed = 1): ModelTextReference {
  return { source: 'model', name: `the model’s own text (seed ${seed})`, seed };
}

/** Whether a file name says its lines are documents (`.jsonl`, any case). */
export function isJsonlName(name: string): boolean {
  return /\.jsonl$/i.test(name);
}

/** The documents of a corpus file: .jsonl lines ({"text": ...} or a string), or blank-line separated text. */
export function splitCorpus(content: string, fileName: string): string[] {
  if (isJsonlName(fileName)) {
    return content
      .split('\n')
      .map((line, i) => ({ line: line.trim(), i }))
      .filter(({ line }) => line.length > 0)
      .map(({ line, i }) => {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new LinScopeError('BAD_INPUT', `${fileName} line ${i + 1} is not JSON`);
        }
        if (typeof value === 'string') return value;
        if (value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string') {
          return (value as { text: string }).text;
        }
        throw new LinScopeError('BAD_INPUT', `${fileName} line ${i + 1} has no "text" string`);
      });
  }
  return content
    .split(/\n\s*\n/)
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
}
