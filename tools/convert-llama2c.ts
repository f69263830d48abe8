/**
 * Converts a llama2.c checkpoint and tokenizer into a transformers.js model folder.
 *
 *   npx tsx tools/convert-llama2c.ts <checkpoint.bin> <tokenizer.bin> <outDir>
 *
 * For example `npx tsx tools/convert-llama2c.ts ../shared/models/stories260K/stories260K.bin
 * ../shared/models/stories260K/tok512.bin .generated/models/karpathy/stories260K`. The
 * conversion itself is src/model/llama2c/convert.ts (pure, also used in the browser); this file
 * only reads and writes files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConvertedLlama2cModel, convertLlama2c } from '../src/model/llama2c/convert';
import type { LlamaGraphOptions } from '../src/model/llama2c/llamaGraph';

export async function convertLlama2cFolder(
  checkpointPath: string,
  tokenizerPath: string,
  outDir: string,
  options: LlamaGraphOptions = {},
): Promise<ConvertedLlama2cModel> {
  const [checkpoint, tokenizer] = await Promise.all([readFile(checkpointPath), readFile(tokenizerPath)]);
  const converted = convertLlama2c(new Uint8Array(checkpoint), new Uint8Array(tokenizer), options);
  for (const [path, contents] of converted.files) {
    const target = join(outDir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
  return converted;
}

async function main(args: string[]): Promise<void> {
  if (args.length !== 3) {
    console.error('usage: npx tsx tools/convert-llama2c.ts <checkpoint.bin> <tokenizer.bin> <outDir>');
    process.exitCode = 2;
    return;
  }
  const [checkpointPath, tokenizerPath, outDir] = args;
  const { config, files } = await convertLlama2cFolder(checkpointPath, tokenizerPath, outDir);
  console.log(
    `wrote ${[...files.keys()].join(', ')} to ${resolve(outDir)} ` +
      `(dim ${config.dim}, ${config.nLayers} layers, vocab ${config.vocabSize})`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
