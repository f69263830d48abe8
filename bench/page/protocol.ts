/** Messages between the bench page and its worker (the app runs onnxruntime in a worker too). */
export interface OverheadRequest {
  modelUrl: string;
  /** Origin-relative base the app serves onnxruntime's wasm files under (`ort/`). */
  assetBase: string;
  backend: 'wasm' | 'webgpu';
  config: { n_layer: number; n_head: number; n_embd: number; vocab_size: number };
}

export type Graph = 'plain' | 'augmented';

/** Page -> worker: make both sessions, or time one forward pass of one of them. */
export type OverheadCommand =
  | { type: 'init'; request: OverheadRequest }
  | { type: 'run'; graph: Graph; tokens: number };

/** Worker -> page. */
export type OverheadMessage =
  | { type: 'log'; message: string }
  | { type: 'ready'; threads: number; extraOutputs: number; adapter: string | null }
  | { type: 'ran'; ms: number }
  | { type: 'error'; message: string };
