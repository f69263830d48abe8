import { LinScopeError } from '../errors';
import { isJsonlName, splitCorpus } from '../job/corpus';
import { decodeTextFile } from '../share/textFile';

/** What the user gave to analyse: one prompt, or a corpus of documents separated by blank lines. */
export interface PromptInput {
  text: string;
  corpus: boolean;
  /** The file it came from, if uploaded. */
  fileName: string | null;
  /**
   * Whether `text` is blank, where the text box knew it without reading the whole text (a long text
   * edited in its first part, `promptView.ts`: reading a 20 MB string that an edit made copies all
   * of it). Used only while `text` is this very string.
   */
  readonly blank?: { readonly text: string; readonly blank: boolean };
}

/** Whether `text` holds nothing but spaces and line breaks (or nothing). */
export const isBlank = (text: string): boolean => !/\S/.test(text);

/** Whether the input's text is blank (`isBlank`), from what the text box knew where it did. */
export function isBlankInput(input: PromptInput): boolean {
  const known = input.blank;
  if (known !== undefined && known.text === input.text) return known.blank;
  return isBlank(input.text);
}

/** Files larger than this are refused: the browser would struggle long before the model. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const ACCEPTED = /\.(txt|md|markdown|jsonl|text)$/i;

export function inputTexts(input: PromptInput): string[] {
  if (!input.corpus) return input.text.trim() ? [input.text] : [];
  return splitCorpus(input.text, 'corpus.txt');
}

/** An uploaded text file: the prompt it gives, and what the text box could not show as stored. */
export interface PromptFile {
  readonly input: PromptInput;
  /** A .jsonl file's documents exactly as stored (the text box separates documents by blank lines). */
  readonly documents: string[] | null;
  /** What was changed to show the file in the text box, in words; null where nothing was. */
  readonly note: string | null;
}

/**
 * A .jsonl file's documents as the text box shows a corpus: separated by blank lines, so a blank
 * line inside a document (a paragraph break) becomes a single line break and the space around a
 * document goes, else the corpus would split there into more documents than the file has; empty
 * documents are left out. Says what was changed.
 */
function shownDocuments(documents: readonly string[], name: string): { text: string; note: string | null } {
  const kept = documents.filter((d) => d.trim().length > 0);
  const shown = kept.map((d) => d.trim().replace(/\n\s*\n/g, '\n'));
  const changed = kept.filter((d) => /\n\s*\n/.test(d)).length;
  const empty = documents.length - kept.length;
  const parts = [
    changed > 0
      ? `${changed} of the ${kept.length} documents in “${name}” have blank lines inside: the text box separates documents by blank lines, so each became a single line break there (the command line reads the file as stored: linscope analyze --input ${name}).`
      : '',
    empty > 0 ? `${empty} empty document${empty === 1 ? ' was' : 's were'} left out.` : '',
  ].filter((p) => p.length > 0);
  return { text: shown.join('\n\n'), note: parts.length > 0 ? parts.join(' ') : null };
}

/**
 * Read an uploaded file into a prompt: .jsonl becomes a corpus (one document per line, shown
 * separated by blank lines), .txt/.md a single prompt (the user may switch to corpus mode).
 * Refuses what is not UTF-8 text, with a message that says what to do.
 */
export async function readPromptFile(file: File): Promise<PromptFile> {
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
    const documents = splitCorpus(text, file.name);
    const shown = shownDocuments(documents, file.name);
    return { input: { text: shown.text, corpus: true, fileName: file.name }, documents, note: shown.note };
  }
  return { input: { text, corpus: false, fileName: file.name }, documents: null, note: null };
}
