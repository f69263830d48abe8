import { ERROR_CODES, LinScopeError } from '../errors';
import type { WireError } from './protocol';

/**
 * How the runtimes say they ran out of memory: V8 (an ArrayBuffer or typed array it could not
 * allocate), Emscripten (onnxruntime-web's wasm heap: "Aborted(OOM)", "Cannot enlarge memory"),
 * onnxruntime itself (bad_alloc, "Failed to allocate") and WebGPU (a buffer it could not create).
 */
const OUT_OF_MEMORY =
  /Array buffer allocation failed|Invalid typed array length|Aborted\(OOM\)|Cannot enlarge memory|out of memory|bad_alloc|Failed to allocate|could not allocate/i;

export const OUT_OF_MEMORY_MESSAGE =
  'This tab ran out of memory for the model or the text. Try a smaller model or smaller weights (q8, q4), a shorter text, or close other tabs; then press Analyze again.';

export function toWireError(error: unknown): WireError {
  if (error instanceof LinScopeError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { name: 'AbortError', message: 'Cancelled.', code: 'ABORTED' };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (OUT_OF_MEMORY.test(message))
    return { name: 'LinScopeError', message: `${OUT_OF_MEMORY_MESSAGE} (${message})`, code: 'RUNTIME' };
  return { name: error instanceof Error ? error.name : 'Error', message, code: 'INTERNAL' };
}

export function fromWireError(wire: WireError): LinScopeError {
  const code = (ERROR_CODES as readonly string[]).includes(wire.code) ? wire.code : 'INTERNAL';
  return new LinScopeError(code, wire.message);
}
