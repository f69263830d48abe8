/**
 * The cache transformers.js reads model files through in the browser (`env.customCache`).
 * It answers first from models the user opened from disk (or converted in the page), held in
 * memory under `<models>/local/<name>/`, then from the browser's Cache API, where downloads are kept
 * so a second load of the same model needs no network.
 */

/** A cache with the two methods transformers.js calls. */
export interface FileCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
  /** Drops every cached file whose URL contains `part` (a damaged download is not kept). */
  forget?(part: string): Promise<void>;
}

export const LOCAL_MODEL_PREFIX = 'local/';

export type ModelFiles = Map<string, Blob | Uint8Array | string>;

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', onnx: 'application/octet-stream' };

export class ModelFileCache implements FileCache {
  private readonly memory = new Map<string, Blob>();

  constructor(
    /** Where transformers.js resolves local model ids (its `env.localModelPath`, absolute). */
    private readonly modelsBase: string,
    private readonly persistent: FileCache | null,
  ) {}

  /** Hold a user's model folder in memory; returns the model id to load it by. */
  register(name: string, files: ModelFiles): string {
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'model';
    const id = `${LOCAL_MODEL_PREFIX}${safe}`;
    const prefix = new URL(`${id}/`, this.modelsBase).href;
    for (const key of [...this.memory.keys()]) if (key.startsWith(prefix)) this.memory.delete(key);
    for (const [path, content] of files) {
      const type = CONTENT_TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
      const blob = content instanceof Blob ? content : new Blob([content as BlobPart], { type });
      this.memory.set(new URL(path.replace(/^\/+/, ''), prefix).href, blob);
    }
    return id;
  }

  private resolve(key: string): string | null {
    try {
      return new URL(key, this.modelsBase).href;
    } catch {
      return null;
    }
  }

  async match(key: string): Promise<Response | undefined> {
    const url = this.resolve(key);
    const blob = url ? this.memory.get(url) : undefined;
    if (blob) {
      return new Response(blob, {
        status: 200,
        headers: { 'Content-Length': String(blob.size), 'Content-Type': blob.type },
      });
    }
    // A local id that is not in memory must not fall through to the network.
    if (url?.startsWith(new URL(LOCAL_MODEL_PREFIX, this.modelsBase).href)) return undefined;
    return this.persistent?.match(key);
  }

  /**
   * Whether the file at `key` is among the files of a folder opened from disk; undefined for any
   * other model's file, which only its server could tell.
   */
  holds(key: string): boolean | undefined {
    const url = this.resolve(key);
    if (!url?.startsWith(new URL(LOCAL_MODEL_PREFIX, this.modelsBase).href)) return undefined;
    return this.memory.has(url);
  }

  /** Forgets the cached downloads of model `id` (files held in memory from disk stay). */
  async forget(id: string): Promise<void> {
    if (id.startsWith(LOCAL_MODEL_PREFIX)) return;
    await this.persistent?.forget?.(`/${id}/`);
  }

  async put(key: string, response: Response): Promise<void> {
    const url = this.resolve(key);
    if (url && this.memory.has(url)) return;
    await this.persistent?.put(key, response);
  }
}
