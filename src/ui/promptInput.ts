import { LinScopeError } from '../errors';
import { isJsonlName, splitCorpus } from '../job/corpus';
import { decodeTextFile } from '../share/textFile';

/** What the user gave to analyse: one prompt, or a corpus of documents separated by blank lines. */
export interface PromptInput {
  text: string;
  corpus: boolean;
  /** The file it came from, if uploaded. */
  fileName: string | null;
}

/** Files larger than this are refused: the browser would struggle long before the model. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const ACCEPTED = /\.(txt|md|markdown|jsonl|text)$/i;

export function inputTexts(input: PromptInput): string[] {
  if (!input.corpus) return input.text.trim() ? [input.text] : [];
  return splitCorpus(input.text, 'corpus.txt');
}

/**
 * Read an uploaded file into a prompt: .jsonl becomes a corpus (one document per line, shown
 * separated by blank lines), .txt/.md a single prompt (the user may switch to corpus mode).
 * Refuses what is not UTF-8 text, with a message that says what to do.
 */
export async function readPromptFile(file: File): Promise<PromptInput> {
  if (!ACCEPTED.test(file.name)) {
    throw new LinScopeError(
      'BAD_INPUT',
      `“${file.name}” is not a text file LinScope reads. Use .txt, .md or .jsonl.`,
    );
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new LinScopeError(
      'BAD_INPUT',
      `“${file.name}” is ${file.size.toLocaleString('en')} bytes, over the 20 MB limit (${MAX_UPLOAD_BYTES.toLocaleString('en')} bytes). Split it into smaller files.`,
    );
  }
  const text = decodeTextFile(new Uint8Array(await file.arrayBuffer()), file.name);
  if (isJsonlName(file.name)) {
    const docs = splitCorpus(text, file.name);
    return { text: docs.join('\n\n'), corpus: true, fileName: file.name };
  }
  return { text, corpus: false, fileName: file.name };
}
