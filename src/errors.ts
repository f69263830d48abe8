/**
 * The one error type LinScope raises on purpose, with a machine-readable code. It crosses the worker
 * boundary as `{name, message, code}`; the UI shows the message, the CLI maps input codes to exit 2.
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNSUPPORTED_GRAPH',
  'MODEL_NOT_FOUND',
  'ABORTED',
  'RUNTIME',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class LinScopeError extends Error {
  override name = 'LinScopeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
