/**
 * A llama2.c checkpoint and tokenizer, converted to a transformers.js model folder. Pure: bytes
 * in, files out, no Node or DOM APIs, so the same code runs in a test, a CLI and the browser
 * ("open a llama2.c checkpoint").
 */
import { type Llama2cHyperparameters, parseLlama2cCheckpoint } from './checkpoint';
import { generationConfigJson, llamaConfigJson } from './hfConfig';
import { type LlamaGraphOptions, llamaOnnxModel } from './llamaGraph';
import { parseLlama2cTokenizer, tokenizerConfigJson, tokenizerJson } from './tokenizer';

/** The fp32 model file transformers.js loads for `dtype: 'fp32'`. */
export const ONNX_MODEL_PATH = 'onnx/model.onnx';

export interface ConvertedLlama2cModel {
  config: Llama2cHyperparameters;
  /** Relative path (with `/`) -> contents: text for JSON files, bytes for the ONNX graph. */
  files: Map<string, string | Uint8Array>;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function convertLlama2c(
  checkpointBytes: Uint8Array,
  tokenizerBytes: Uint8Array,
  options: LlamaGraphOptions = {},
): ConvertedLlama2cModel {
  const checkpoint = parseLlama2cCheckpoint(checkpointBytes);
  const { config } = checkpoint;
  const vocabulary = parseLlama2cTokenizer(tokenizerBytes, config.vocabSize);
  const files = new Map<string, string | Uint8Array>([
    ['config.json', json(llamaConfigJson(config))],
    ['generation_config.json', json(generationConfigJson())],
    ['tokenizer.json', json(tokenizerJson(vocabulary))],
    ['tokenizer_config.json', json(tokenizerConfigJson(vocabulary, config.seqLen))],
    [ONNX_MODEL_PATH, llamaOnnxModel(checkpoint, options)],
  ]);
  return { config, files };
}
