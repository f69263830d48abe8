import { ERROR_CODES, LinScopeError } from '../errors';
import type { WireError } from './protocol';

export function toWireError(error: unknown): WireError {
  if (error instanceof LinScopeError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { name: 'AbortError', message: 'Cancelled.', code: 'ABORTED' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : 'Error', message, code: 'INTERNAL' };
}

export function fromWireError(wire: WireError): LinScopeError {
  const code = (ERROR_CODES as readonly string[]).includes(wire.code) ? wire.code : 'INTERNAL';
  return new LinScopeError(code, wire.message);
}
