import { describe, expect, it } from 'vitest';
import { folderMemoryProblem, memoryProblem, weightsBudgetMb } from './memoryBudget';

const qwen = { label: 'Qwen2.5 1.5B', sizes: { q4: 786, q8: 500, fp32: 1980 } };

describe('memoryBudget', () => {
  it('allows a quarter of the device memory for weights, and nothing is known without a figure', () => {
    expect(weightsBudgetMb(8)).toBe(2048);
    expect(weightsBudgetMb(0.5)).toBe(128);
    expect(weightsBudgetMb(null)).toBeNull();
    expect(weightsBudgetMb(undefined)).toBeNull();
    expect(weightsBudgetMb(Number.NaN)).toBeNull();
    expect(weightsBudgetMb(0)).toBeNull();
  });

  it('refuses weights over the budget and names the largest variant that fits', () => {
    expect(memoryProblem(qwen, 'fp32', 8)).toBeNull();
    const problem = memoryProblem(qwen, 'fp32', 4);
    expect(problem).toContain('Qwen2.5 1.5B with fp32 weights (≈1980 MB) is too large for this device');
    expect(problem).toContain('reports 4 GB of memory');
    expect(problem).toContain('Choose the q4 weights (≈786 MB) or a smaller model.');
    expect(memoryProblem(qwen, 'q4', 2)).toContain('Choose the q8 weights (≈500 MB) or a smaller model.');
    expect(memoryProblem(qwen, 'q8', 2)).toBeNull();
    expect(memoryProblem(qwen, 'q4', 0.25)).toContain('reports 256 MB of memory');
    expect(memoryProblem(qwen, 'q4', 0.25)).toMatch(/Choose a smaller model\.$/);
  });

  it('refuses nothing where the size or the memory is unknown', () => {
    expect(memoryProblem(qwen, 'fp32', null)).toBeNull();
    expect(memoryProblem({ label: 'x', sizes: {} }, 'fp32', 0.25)).toBeNull();
    expect(memoryProblem({ label: 'bundled', sizes: { fp32: 0 } }, 'fp32', 0.25)).toBeNull();
    expect(memoryProblem(undefined, 'fp32', 0.25)).toBeNull();
  });

  it('judges a folder by its weights in bytes', () => {
    expect(folderMemoryProblem('m', 100 * 1024 * 1024, 1)).toBeNull();
    expect(folderMemoryProblem('m', 300 * 1024 * 1024, 1)).toContain(
      'The model in “m” (≈300 MB of fp32 weights) is too large for this device: it reports 1 GB',
    );
  });
});
