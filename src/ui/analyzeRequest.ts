import { modelTextReference } from '../job/corpus';
import type { AnalysisSettings } from '../job/settings';
import type {
  AnalyzeRequest,
  FitImportRequest,
  ModelRequest,
  ReferenceAheadRequest,
} from '../worker/protocol';
import { errorMessage } from './errorMessage';
import { inputTexts, isBlankInput, type PromptInput } from './promptInput';
import type { ReferenceChoice } from './SettingsPanel';

/** What the Analyze button sends, or why there is nothing to send (shown as the run's error). */
export type AnalyzeRequestOutcome =
  | { readonly ok: true; readonly request: AnalyzeRequest }
  | { readonly ok: false; readonly message: string };

export interface AnalyzeRequestOptions {
  readonly model: ModelRequest;
  readonly input: PromptInput;
  readonly settings: AnalysisSettings;
  readonly reference: ReferenceChoice;
  /** `?threads=N`, or undefined to let the worker decide. */
  readonly threads: number | undefined;
  /** `?referenceTokensPerDim=N`, or undefined for the default. */
  readonly referenceTokensPerDim?: number;
}

export const NO_TEXT_MESSAGE = 'There is no text to analyze. Type or upload some text first.';

/**
 * Why the input cannot be analyzed as it stands (shown beside a disabled Analyze button), or null.
 * The text is only checked for being there; the model's own limits are checked when it runs.
 */
export function inputProblem(input: PromptInput): string | null {
  // Asked on every keystroke, so the text is not split or copied here (a 20 MB text took a copy
  // or a split per key): a corpus has a document exactly where the text is not all blank.
  if (!isBlankInput(input)) return null;
  return input.corpus || input.text.length === 0
    ? NO_TEXT_MESSAGE
    : 'The text is only spaces and line breaks. Type or upload some text to analyze.';
}

/** The reference the worker is sent: the bundled corpus, none, the model's own text, or the user's texts. */
export function requestReference(reference: ReferenceChoice): AnalyzeRequest['reference'] {
  if (reference.kind === 'bundled') return 'bundled';
  if (reference.kind === 'none') return null;
  // One seed, so every re-run writes the same samples (and finds their fit cached).
  if (reference.kind === 'model') return modelTextReference();
  return { source: 'user', name: reference.name, texts: reference.texts };
}

/** The worker's request for the page's inputs; an input that cannot be split into texts is refused. */
export function analyzeRequest(options: AnalyzeRequestOptions): AnalyzeRequestOutcome {
  let texts: string[];
  try {
    texts = inputTexts(options.input);
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  // In the words the hint beside a disabled Analyze button has for the same input.
  if (texts.length === 0) return { ok: false, message: inputProblem(options.input) ?? NO_TEXT_MESSAGE };
  return {
    ok: true,
    request: {
      model: options.model,
      texts,
      settings: options.settings,
      reference: requestReference(options.reference),
      threads: options.threads,
      ...(options.referenceTokensPerDim === undefined
        ? {}
        : { referenceTokensPerDim: options.referenceTokensPerDim }),
    },
  };
}

/**
 * The worker's request to open a reference fit file for the next analysis: the model, reference and
 * settings that analysis would be sent. Without a reference there is nothing a fit could serve.
 */
export function fitImportRequest(
  options: Omit<FitImportRequest, 'reference'> & { readonly reference: ReferenceChoice },
):
  | { readonly ok: true; readonly request: FitImportRequest }
  | { readonly ok: false; readonly message: string } {
  const reference = requestReference(options.reference);
  if (reference === null)
    return {
      ok: false,
      message: `${options.file.name} is a reference fit, and the page's reference is set to none: choose the reference the fit was made on in the settings, then open the file again.`,
    };
  return {
    ok: true,
    request: {
      model: options.model,
      settings: options.settings,
      reference,
      file: options.file,
      ...(options.referenceTokensPerDim === undefined
        ? {}
        : { referenceTokensPerDim: options.referenceTokensPerDim }),
    },
  };
}

/**
 * What fitting the next analysis's reference ahead is sent (`prepare-reference`): the model, settings
 * and reference the analysis would be sent, or null where there is no reference to fit ahead (none,
 * or the model's own text, which takes minutes to write).
 */
export function referenceAheadRequest(
  options: Omit<AnalyzeRequestOptions, 'input'>,
): ReferenceAheadRequest | null {
  const reference = requestReference(options.reference);
  if (reference === null || (reference !== 'bundled' && reference.source === 'model')) return null;
  return {
    model: options.model,
    settings: options.settings,
    reference,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.referenceTokensPerDim === undefined
      ? {}
      : { referenceTokensPerDim: options.referenceTokensPerDim }),
  };
}
