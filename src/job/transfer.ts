/**
 * What a message can move instead of copy: the buffers of the typed arrays inside it that own their
 * whole buffer, each once (a transfer list that names a buffer twice is refused). Views into a
 * larger buffer are copied, so a small result never drags a big buffer along; SharedArrayBuffers
 * are shared, not moved. For results leaving a worker: the sender must not use those arrays again.
 */
export function transferableBuffers(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      const owns = v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
      if (owns && v.buffer instanceof ArrayBuffer && v.byteLength > 0) buffers.add(v.buffer);
      return;
    }
    for (const item of Array.isArray(v) ? v : Object.values(v)) visit(item);
  };
  visit(value);
  return [...buffers];
}
