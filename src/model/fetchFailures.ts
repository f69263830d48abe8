/**
 * Requests for model files that failed before any answer came (fetch rejected: offline, connection
 * refused or reset, DNS). transformers.js swallows such a failure for a model served beside the app
 * and reports the file as missing ("not found locally at PATH"); the runtime's fetch records the
 * path here, so that `loadFailure` can say the site could not be reached instead of blaming the
 * model (an HTTP 404, an answer, is never recorded: that file is missing).
 */
export interface FetchFailure {
  /** The path or URL as it was fetched. */
  readonly path: string;
  /** What fetch said (`Failed to fetch`, `net::ERR_CONNECTION_FAILED` ...). */
  readonly reason: string;
}

export class FetchFailures {
  private readonly failed = new Map<string, string>();

  /** A request for `path` that rejected with `error`. */
  record(path: string, error: unknown): void {
    this.failed.set(path, error instanceof Error ? error.message : String(error));
  }

  /** A request for `path` that got an answer: an older failure of it is forgotten. */
  answered(path: string): void {
    this.failed.delete(path);
  }

  /** The recorded failure of the file an error names (`"...PATH"`), forgotten once told; or null. */
  behind(message: string): FetchFailure | null {
    for (const [path, reason] of this.failed) {
      if (message.includes(`"${path}"`)) {
        this.failed.delete(path);
        return { path, reason };
      }
    }
    return null;
  }

  /** The recorded failure of any file under `folder` (a model's files), forgotten once told; or null. */
  under(folder: string): FetchFailure | null {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    for (const [path, reason] of this.failed) {
      if (path.includes(prefix)) {
        this.failed.delete(path);
        return { path, reason };
      }
    }
    return null;
  }
}
