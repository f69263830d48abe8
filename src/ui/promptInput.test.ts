import { describe, expect, it } from 'vitest';
import { inputTexts, MAX_UPLOAD_BYTES, readPromptFile } from './promptInput';

const file = (content: BlobPart, name: string) => new File([content], name);

describe('readPromptFile()', () => {
  it('reads a .txt file as one prompt and a .jsonl file as a corpus', async () => {
    expect(await readPromptFile(file('Hello\n\nworld', 'a.txt'))).toEqual({
      input: { text: 'Hello\n\nworld', corpus: false, fileName: 'a.txt' },
      documents: null,
      note: null,
    });
    const corpus = await readPromptFile(file('{"text":"one"}\n"two"\n', 'c.jsonl'));
    expect(corpus).toEqual({
      input: { text: 'one\n\ntwo', corpus: true, fileName: 'c.jsonl' },
      documents: ['one', 'two'],
      note: null,
    });
    expect(inputTexts(corpus.input)).toEqual(['one', 'two']);
  });

  it('keeps a .jsonl file’s documents apart where one holds blank lines, and says what it changed', async () => {
    const lines = [
      { text: 'first doc para one.\n\nfirst doc para two.' },
      { text: '  second doc\n \n\nends here ' },
      { text: '' },
      { text: '   ' },
      { text: 'third' },
    ];
    const read = await readPromptFile(file(lines.map((l) => JSON.stringify(l)).join('\n'), 'docs.jsonl'));
    expect(read.documents).toEqual(lines.map((l) => l.text));
    expect(inputTexts(read.input)).toEqual([
      'first doc para one.\nfirst doc para two.',
      'second doc\nends here',
      'third',
    ]);
    expect(read.note).toBe(
      '2 of the 3 documents in “docs.jsonl” have blank lines inside: the text box separates documents by blank lines, so each became a single line break there (the command line reads the file as stored: linscope analyze --input docs.jsonl). 2 empty documents were left out.',
    );
  });

  it('refuses binary, non-UTF-8 and unknown files with a message that says what to do', async () => {
    await expect(readPromptFile(file(Uint8Array.of(0xff, 0xfe, 0x41), 'x.txt'))).rejects.toThrow(
      /not UTF-8 text/,
    );
    await expect(readPromptFile(file('a\u0000b', 'x.txt'))).rejects.toThrow(/binary/);
    await expect(readPromptFile(file('x', 'photo.png'))).rejects.toThrow(/Use \.txt, \.md or \.jsonl/);
  });
});

describe('the 20 MB upload limit', () => {
  it('reads a file of exactly 20 MB and refuses one byte more, saying by how much', async () => {
    expect(MAX_UPLOAD_BYTES).toBe(20 * 1024 * 1024);
    const limit = new Uint8Array(MAX_UPLOAD_BYTES).fill(0x61);
    expect((await readPromptFile(file(limit, 'big.txt'))).input.text.length).toBe(MAX_UPLOAD_BYTES);
    const over = new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0x61);
    await expect(readPromptFile(file(over, 'big.txt'))).rejects.toThrow(
      '“big.txt” is 20,971,521 bytes, over the 20 MB limit (20,971,520 bytes). Split it into smaller files.',
    );
  });
});

describe('inputTexts()', () => {
  it('gives nothing for whitespace and splits a corpus at blank lines', () => {
    expect(inputTexts({ text: '  \n ', corpus: false, fileName: null })).toEqual([]);
    expect(inputTexts({ text: 'a\n\n b \n\n', corpus: true, fileName: null })).toEqual(['a', 'b']);
  });
});
