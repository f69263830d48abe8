/**
 * Opening files from elsewhere through the page's file button: stats shards (merged and reduced in
 * the worker, as `linscope reduce` does) and hidden states with a token list (analysed in the
 * worker), each showing the numbers an independent numpy computation gives
 * (tools/import_fixtures.py); and files that cannot be opened, each refused with what was wrong
 * while the result on screen stays. Backend-independent (no model runs): WASM only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openApp, test, watchErrors } from './fixtures';

const IMPORTS = join(process.cwd(), 'tests/fixtures/imports');
const fixture = (name: string) => join(IMPORTS, name);
/** A file as the picker hands it over, from bytes (Playwright does not mix paths and bytes in one pick). */
const chosen = (name: string, buffer: Buffer = readFileSync(fixture(name))) => ({
  name,
  mimeType: 'application/octet-stream',
  buffer,
});

interface ExpectedLayer {
  linearity: number;
  linearityNoResidual: number;
  heldOut?: { linearity: number };
}
const expectedStats = JSON.parse(readFileSync(fixture('expected-stats.json'), 'utf8')) as {
  layers: ExpectedLayer[];
};
const expectedStates = JSON.parse(readFileSync(fixture('expected-states.json'), 'utf8')) as {
  layers: ExpectedLayer[];
  perToken: { nonlinearity: number[][] };
};

/** Every point of the linearity chart, `series@layer` -> the exact value it carries. */
async function chartPoints(page: Page): Promise<Record<string, number>> {
  return page
    .getByTestId('linearity-chart')
    .locator('[data-series][data-layer][data-value]')
    .evaluateAll((nodes) =>
      Object.fromEntries(
        nodes
          .filter((n) => n.getAttribute('data-value') !== '')
          .map((n) => [
            `${n.getAttribute('data-series')}@${n.getAttribute('data-layer')}`,
            Number(n.getAttribute('data-value')),
          ]),
      ),
    );
}

function expectPoints(points: Record<string, number>, expected: ExpectedLayer[], heldOut: boolean) {
  const keys = ['linearity', 'linearityNoResidual', ...(heldOut ? ['heldOut'] : [])];
  expect(Object.keys(points).sort()).toEqual(keys.flatMap((k) => expected.map((_, l) => `${k}@${l}`)).sort());
  expected.forEach((e, l) => {
    expect(Math.abs(points[`linearity@${l}`] - e.linearity), `linearity@${l}`).toBeLessThan(1e-9);
    expect(Math.abs(points[`linearityNoResidual@${l}`] - e.linearityNoResidual)).toBeLessThan(1e-9);
    if (heldOut) expect(Math.abs(points[`heldOut@${l}`] - (e.heldOut?.linearity ?? 0))).toBeLessThan(1e-9);
  });
}

test.beforeEach(({ backend }) => {
  test.skip(backend !== 'wasm', 'Opening files runs no model: checked once, on WASM.');
});

test('stats shards chosen together open as per-layer scores, without per-token views, and say why', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await page
    .getByTestId('open-linscope-file')
    .setInputFiles([fixture('shard-a.safetensors'), fixture('shard-b.safetensors')]);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
  const message = page.getByTestId('link-message');
  await expect(message).toHaveAttribute('data-kind', 'notes');
  await expect(message).toContainText('2 stats files (946 tokens of 6 documents');
  await expect(message).toContainText('Stats hold sums over tokens, not per-token values');
  expectPoints(await chartPoints(page), expectedStats.layers, false);
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'statistics');
  await expect(page.getByTestId('heatmap-empty')).toContainText('reduced from stats files');
  await expect(page.getByTestId('result-summary')).toContainText('2 layers · d = 64');
  expect(errors).toEqual([]);
});

test('a .npy of hidden states with its token list opens with every chart, per-token values in sample', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  await page.getByTestId('open-linscope-file').setInputFiles([fixture('states.npy'), fixture('tokens.txt')]);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
  await expect(page.getByTestId('link-message')).toContainText(
    'Hidden states from states.npy: 2 layers, 200 tokens, d = 64 (F32).',
  );
  expectPoints(await chartPoints(page), expectedStates.layers, true);
  const heatmap = page.getByTestId('nonlinearity-heatmap');
  await expect(heatmap).toHaveAttribute('data-state', 'ready');
  await expect(heatmap).toHaveAttribute('data-rows', '2');
  await expect(heatmap).toHaveAttribute('data-cols', '200');
  await expect(heatmap).toContainText('states.npy itself (in sample)');
  const max = Math.max(...expectedStates.perToken.nonlinearity.flat());
  const shown = Number(await heatmap.getAttribute('data-max-value'));
  expect(Math.abs(shown - max) / max).toBeLessThan(1e-7);
  expect(errors).toEqual([]);
});

test('truncated stats, stats of different models and a bad .npy are refused; what is shown stays', async ({
  page,
  backend,
}) => {
  const errors = watchErrors(page);
  await openApp(page, backend);
  const input = page.getByTestId('open-linscope-file');
  await input.setInputFiles([fixture('states.safetensors')]);
  await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
  const before = await chartPoints(page);
  expectPoints(before, expectedStates.layers, true);

  const shard = readFileSync(fixture('shard-b.safetensors'));
  const message = page.getByTestId('link-message');
  const refusals: [ReturnType<typeof chosen>[], string][] = [
    [
      [chosen('shard-a.safetensors'), chosen('shard-b.safetensors', shard.subarray(0, shard.length - 1000))],
      'shard-b.safetensors is not a LinScope stats file (linscope.stats/v1): data_offsets out of range for cross.1; the file is truncated',
    ],
    [
      [chosen('shard-a.safetensors'), chosen('other-model.safetensors')],
      'other-model.safetensors cannot be merged with shard-a.safetensors: they are of different models (id "fixtures/tiny-random-gpt2" vs "fixtures/tiny-random-llama")',
    ],
    [
      [chosen('bad.npy', Buffer.from('not an array'))],
      'bad.npy: it is not a .npy array LinScope reads: it does not start with the .npy magic bytes',
    ],
  ];
  for (const [files, text] of refusals) {
    await input.setInputFiles(files);
    await expect(message).toHaveAttribute('data-kind', 'error');
    await expect(message).toContainText(text);
    // Nothing shown was lost.
    await expect(page.getByTestId('result-origin')).toHaveAttribute('data-origin', 'file');
    expect(await chartPoints(page)).toEqual(before);
    await message.getByRole('button', { name: 'Dismiss' }).click();
  }
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
  expect(errors).toEqual([]);
});
