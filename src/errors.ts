/**
 * The one error type LinScope raises on purpose, with a machine-readable code. It crosses the worker
 * boundary as `{name, message, code}`; the UI shows the message, the CLI maps input codes to exit 2
 * (`INPUT_ERROR_CODES`). Every layer may import this module; it imports nothing.
 */
export const ERROR_CODES = [
  /** The user's input (text, file, link, option) cannot be used; the message says why. */
  'BAD_INPUT',
  /** The model's ONNX graph is not one LinScope can read the hidden states of. */
  'UNSUPPORTED_GRAPH',
  /** No such model: not a model folder, no such Hub repository, or a file of it is missing. */
  'MODEL_NOT_FOUND',
  /** The model is on the Hub, but the Hub could not be reached (offline, network failure). */
  'MODEL_UNREACHABLE',
  'ABORTED',
  'RUNTIME',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that mean "what you gave me cannot be used" rather than "LinScope failed" (CLI exit 2). */
export const INPUT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  'BAD_INPUT',
  'UNSUPPORTED_GRAPH',
  'MODEL_NOT_FOUND',
  'MODEL_UNREACHABLE',
]);

export class LinScopeError extends Error {
  override name = 'LinScopeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
