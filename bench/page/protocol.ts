/** Messages between the bench page and its worker (the app runs onnxruntime in a worker too). */
export interface OverheadRequest {
  modelUrl: string;
  /** Origin-relative base the app serves onnxruntime's wasm files under (`ort/`). */
  assetBase: string;
  backend: 'wasm' | 'webgpu';
  tokens: number[];
  /** Timed pairs for each entry of `tokens` (GPT-2 at T = 1024 takes ~30 s a pass in WASM here). */
  pairs: number[];
  config: { n_layer: number; n_head: number; n_embd: number; vocab_size: number };
}

export interface OverheadSeries {
  tokens: number;
  plain: number[];
  augmented: number[];
}

export type OverheadMessage =
  | { type: 'log'; message: string }
  | { type: 'done'; series: OverheadSeries[]; threads: number; extraOutputs: number; adapter: string | null }
  | { type: 'error'; message: string };
