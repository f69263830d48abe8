/**
 * A large text file as the prompt (docs/reliability.md P14, docs/performance.md "A large text in the
 * prompt box"): the box shows its first part, editable, and keeps the rest; the count line says it
 * is counting until the worker has counted the text in the box, and never shows a count that belongs
 * to another text (the last text's count beside the new file's name, or the file's count once the
 * user has typed); typing still works; the whole text is what Analyze takes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { shownEnd } from '../src/ui/promptView';
import { expect, openApp, test, watchErrors } from './fixtures';

const REFERENCE = readFileSync(join(resolve('.'), 'public/corpus/reference-en.txt'), 'utf8');

/** About 1.5 million characters of English (~470,000 tokens of the bundled model): more than the box shows, and more tokens than a tab's states can hold. */
function largeText(): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < 1_500_000; i++) {
    const part = `Part ${i}.\n\n${REFERENCE}\n\n`;
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

interface LineSeen {
  readonly at: number;
  readonly state: string | null;
  readonly text: string;
}

test('a large uploaded file: the count line never shows another text’s count, typing works, the whole text is kept', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Input handling does not depend on the backend; checked on WASM.');
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await openApp(page, backend);
  const line = page.getByTestId('token-count');
  await expect(line).toHaveAttribute('data-state', 'counted', { timeout: 60_000 });
  const before = (await line.textContent()) ?? '';
  const beforeCount = /^([\d,]+) tokens/.exec(before)?.[1];
  expect(beforeCount, before).toBeDefined();

  // Every state the line goes through, seen in the page as it happens.
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid=token-count]');
    const seen: LineSeen[] = [];
    (window as unknown as { __lines: LineSeen[] }).__lines = seen;
    if (!el) return;
    new MutationObserver(() =>
      seen.push({ at: performance.now(), state: el.getAttribute('data-state'), text: el.textContent ?? '' }),
    ).observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const lines = () => page.evaluate(() => (window as unknown as { __lines: LineSeen[] }).__lines);

  const text = largeText();
  const file = join(mkdtempSync(join(tmpdir(), 'linscope-large-')), 'big.txt');
  writeFileSync(file, text);
  await page.getByTestId('file-input').setInputFiles(file);

  // The box holds the file's first part, up to a line break; a note says what it keeps after it.
  const shown = text.slice(0, shownEnd(text));
  const box = page.getByTestId('prompt-input');
  await expect(box).toHaveValue(shown);
  const note = page.getByTestId('prompt-hidden-note');
  await expect(note).toContainText(
    `The box shows the first ${shown.length.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters`,
  );
  await expect(note).toContainText(`The other ${(text.length - shown.length).toLocaleString('en')} are kept`);
  // The file's name, and that it is being counted: not the last text's count.
  await expect(line).toHaveText('big.txt · counting tokens…');

  // Typing works while the file is being counted.
  await box.focus();
  await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(el.value.length, el.value.length));
  const typedAt = await page.evaluate(() => performance.now());
  await page.keyboard.type('Typed after the upload.');
  await expect(box).toHaveValue(`${shown}Typed after the upload.`);
  await expect(line).toHaveText('Counting tokens…');

  // The count of the text in the box comes (after the file's own, which is never shown now).
  await expect(line).toHaveAttribute('data-state', 'counted', { timeout: 240_000 });
  const final = (await line.textContent()) ?? '';
  const finalCount = /^([\d,]+) tokens · context 256/.exec(final)?.[1];
  expect(finalCount, final).toBeDefined();
  // Let a late answer (there should be none) reach the line before it is read back.
  await page.waitForTimeout(1_000);
  await expect(line).toHaveText(final);

  const seen = await lines();
  // Beside the file's name: only "counting", never a count (the last text's or any other).
  const besideFile = seen.filter((s) => s.text.startsWith('big.txt'));
  expect(besideFile.length).toBeGreaterThan(0);
  for (const s of besideFile) expect(s.text).toBe('big.txt · counting tokens…');
  // Once typed, the only count shown is the typed text's: the file's count, counted meanwhile, never.
  const countsAfterTyping = seen.filter((s) => s.at >= typedAt && s.state === 'counted').map((s) => s.text);
  expect(countsAfterTyping.length).toBeGreaterThan(0);
  for (const t of countsAfterTyping) expect(t).toBe(final);
  for (const s of seen) {
    if (s.state === 'counted') expect(s.text).not.toMatch(new RegExp(`^${beforeCount} tokens`));
  }

  // The whole text, hidden part included, is what Analyze takes: its tokens are more than a tab holds
  // (the box's part alone would fit), and as many as the count line says.
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('error-message')).toContainText(`The text is ${finalCount} tokens`, {
    timeout: 120_000,
  });
  await expect(box).toHaveValue(`${shown}Typed after the upload.`);

  // Removing what the box does not show is the user's choice, and leaves the box as it is.
  await page.getByTestId('prompt-drop-hidden').click();
  await expect(note).toHaveCount(0);
  await expect(box).toHaveValue(`${shown}Typed after the upload.`);
  await expect(line).toHaveAttribute('data-state', 'counted', { timeout: 240_000 });
  const shortened = /^([\d,]+) tokens/.exec((await line.textContent()) ?? '')?.[1] ?? '';
  expect(Number(shortened.replaceAll(',', ''))).toBeLessThan(Number((finalCount ?? '').replaceAll(',', '')));
  expect(errors).toEqual([]);
});
