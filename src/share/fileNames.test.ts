import { describe, expect, it } from 'vitest';
import { exportFileName } from './fileNames';

describe('exportFileName(modelId, chart, ext)', () => {
  it('keeps the last two path parts of the model id, filename-safe', () => {
    expect(exportFileName('/tmp/models/karpathy/stories260K', 'linearity', 'png')).toBe(
      'linscope-karpathy-stories260K-linearity.png',
    );
    expect(exportFileName('Xenova/gpt2 (q8)', 'heatmap', 'svg')).toBe('linscope-Xenova-gpt2_q8_-heatmap.svg');
    expect(exportFileName('', 'x', 'csv')).toBe('linscope-model-x.csv');
  });
});
