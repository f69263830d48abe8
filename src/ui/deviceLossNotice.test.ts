import { describe, expect, it } from 'vitest';
import { deviceLossNotice } from './deviceLossNotice';

describe('deviceLossNotice', () => {
  it('says why, that results stay the same, and that the next visit tries WebGPU again', () => {
    expect(deviceLossNotice({ reason: 'destroyed', message: 'Device was destroyed' }, false, 'webgpu')).toBe(
      'The GPU stopped (Device was destroyed). LinScope switched to WebAssembly on the CPU: results are the same, only slower. This tab stays on the CPU; the next time LinScope is opened it tries WebGPU again, as your Backend choice says (choose WASM there to stay on the CPU).',
    );
  });

  it('says that a run under way starts again, and what Auto does next time', () => {
    const notice = deviceLossNotice(
      { reason: 'run-failed', message: 'The Device was lost before mapping was resolved' },
      true,
      'auto',
    );
    expect(notice).toContain('(The Device was lost before mapping was resolved)');
    expect(notice).toContain('The analysis that was running starts again on the CPU.');
    expect(notice).toContain('it tries the GPU again');
  });

  it('names a reason the browser gave that LinScope does not know', () => {
    expect(deviceLossNotice({ reason: 'gpu-reset', message: 'reset' }, false, 'webgpu')).toMatch(
      /^The GPU stopped \(gpu-reset: reset\)\./,
    );
  });
});
