/**
 * The README's screenshots (docs/screenshots/), made on demand, not in `npm test`:
 *   LINSCOPE_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts --project=wasm
 */
import { expect, openApp, test } from './fixtures';

// Long enough (about 300 tokens) that n > d = 128 and the in-sample scores exist.
const PROMPT = [
  'And God said, Let there be light: and there was light. And God saw the light, that it was good: and God divided the light from the darkness.',
  'And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.',
  'A hacker is a person who enjoys exploring the details of programmable systems and how to stretch their capabilities,',
  'as opposed to most users, who prefer to learn only the minimum necessary. One who programs enthusiastically, even obsessively,',
  'or who enjoys programming rather than just theorizing about programming. A person capable of appreciating hack value.',
  'And the earth brought forth grass, and herb yielding seed after his kind, and the tree yielding fruit, whose seed was in itself,',
  'after his kind: and God saw that it was good. A kludge is a clever programming trick intended to solve a particular nasty case',
  'in an expedient, if not clear, manner. Often used to repair bugs. Typically involves ad-hockery and verges on being a crock.',
].join(' ');

const VIEWS = [
  { name: 'laptop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

for (const scheme of ['light', 'dark'] as const) {
  for (const view of VIEWS) {
    test(`screenshot: ${view.name}, ${scheme}`, async ({ browser, backend }) => {
      test.skip(
        !process.env.LINSCOPE_SCREENSHOTS || backend !== 'wasm',
        'Set LINSCOPE_SCREENSHOTS=1 to remake the README screenshots.',
      );
      const context = await browser.newContext({
        viewport: view.viewport,
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      await openApp(page, 'wasm', `prompt=${encodeURIComponent(PROMPT)}&run=1`);
      await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
      await page.getByTestId('linearity-target').nth(1).click();
      await page.mouse.move(0, 0);
      // A phone shows the controls first; its screenshot shows the results, which come below them.
      if (view.name === 'phone') await page.getByTestId('results').evaluate((el) => el.scrollIntoView());
      else await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(300);
      await page.screenshot({
        path: `docs/screenshots/${view.name}-${scheme}.png`,
        fullPage: view.name !== 'phone',
      });
      await context.close();
    });
  }
}
