import { describe, expect, it } from 'vitest';
import { LinScopeError } from '../errors';
import { OUT_OF_MEMORY_MESSAGE, toWireError } from './errors';

describe('toWireError', () => {
  it('says plainly when a runtime ran out of memory, keeping its own words', () => {
    for (const message of [
      'Array buffer allocation failed',
      'Aborted(OOM). Build with -sASSERTIONS for more info.',
      'Cannot enlarge memory, requested 4294967296 bytes',
      'std::bad_alloc',
      '[WebGPU] Failed to allocate buffer',
    ]) {
      const wire = toWireError(new RangeError(message));
      expect(wire.code, message).toBe('RUNTIME');
      expect(wire.message).toBe(`${OUT_OF_MEMORY_MESSAGE} (${message})`);
    }
  });

  it('passes LinScope errors and cancellations through, and other failures as internal', () => {
    expect(toWireError(new LinScopeError('BAD_INPUT', 'no text'))).toEqual({
      name: 'LinScopeError',
      message: 'no text',
      code: 'BAD_INPUT',
    });
    expect(toWireError(new DOMException('x', 'AbortError')).code).toBe('ABORTED');
    expect(toWireError(new TypeError('x is undefined'))).toEqual({
      name: 'TypeError',
      message: 'x is undefined',
      code: 'INTERNAL',
    });
  });
});
