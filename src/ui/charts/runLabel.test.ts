import { expect, it } from 'vitest';
import { runLabel } from './runLabel';

it('runLabel(spec) names the blocks changed and how', () => {
  expect(runLabel({ linear: [2], skip: [] })).toBe('Block 2 linearized');
  expect(runLabel({ linear: [1, 3], skip: [] })).toBe('Blocks 1 and 3 linearized');
  expect(runLabel({ linear: [], skip: [0, 1, 3] })).toBe('Blocks 0, 1 and 3 skipped');
  expect(runLabel({ linear: [2], skip: [0] })).toBe('Block 2 linearized, block 0 skipped');
  expect(runLabel({ linear: [], skip: [] })).toBe('Nothing changed');
});
