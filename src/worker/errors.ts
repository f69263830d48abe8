import type { ErrorCode, WireError } from './protocol';

/** An error that crosses the worker boundary with a machine-readable code. */
export class LinScopeError extends Error {
  override name = 'LinScopeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function toWireError(error: unknown): WireError {
  if (error instanceof LinScopeError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { name: 'AbortError', message: 'Cancelled.', code: 'ABORTED' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : 'Error', message, code: 'INTERNAL' };
}

export function fromWireError(wire: WireError): LinScopeError {
  return new LinScopeError(wire.code, wire.message);
}
