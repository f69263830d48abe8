/**
 * The per-token reference in the page: under the heatmap, what the maps were fitted on (tokens,
 * documents, sampling) and the flash rates (nominal, held-out reference text, this text), as the
 * exported result JSON has them; and a warning when the text flashes far more than the reference
 * and is unlike it (docs/analysis.md, "Calibration").
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { LinScopeResult } from '../src/job/result';
import { expect, openApp, test } from './fixtures';

async function analyse(page: Page, text: string): Promise<LinScopeResult> {
  await page.getByTestId('prompt-input').fill(text);
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8'));
}

const SCRIPTURE =
  'And the LORD spake unto Moses, saying, Speak unto the children of Israel, that they bring me an offering.';
const CODE =
  'def main():\n    x = [1, 2, 3]\n    for i in range(10):\n        print(i * 2)\n    return {"a": 42}\n';

test('the heatmap names its reference sample and flash rates, and warns on text unlike the reference', async ({
  page,
  backend,
}) => {
  await openApp(page, backend);
  const own = await analyse(page, SCRIPTURE);
  const ref = own.perToken?.reference;
  expect(ref).toMatchObject({
    name: 'reference-en.txt',
    tokens: 4096,
    corpusDocuments: 30,
    sampling: { rule: 'seeded-windows', seed: 1, chunkTokens: 256 },
  });
  const note = page.getByTestId('reference-note');
  await expect(note).toContainText(
    `Per-token maps fitted on 4,096 tokens from ${ref?.documents} of 30 documents of “reference-en.txt”`,
  );
  await expect(note).toContainText('Nominal flash rate 1.0% per pair; held-out reference text:');
  expect(own.perToken?.calibration?.offReference).toBe(false);
  await expect(page.getByTestId('reference-warning')).toHaveCount(0);

  const code = await analyse(page, CODE);
  expect(code.perToken?.calibration?.offReference).toBe(true);
  await expect(page.getByTestId('reference-warning')).toContainText('never occur in the reference');
});
