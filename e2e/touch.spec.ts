/**
 * On a phone there is no hover: a tap on the linearity chart shows that pair's numbers, as a tap
 * on the heatmap shows its cell's.
 */
import { expect, test } from './fixtures';

test('a tap on the linearity chart shows the pair and focuses it; a tap on the heatmap shows its cell', async ({
  browser,
  baseURL,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'Touch handling does not depend on the backend.');
  const context = await browser.newContext({
    baseURL,
    hasTouch: true,
    isMobile: true,
    viewport: { width: 390, height: 844 },
  });
  try {
    const page = await context.newPage();
    await page.goto('./?backend=wasm&run=1');
    await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });

    const target = page.locator('[data-testid="linearity-target"][data-layer="2"]');
    await target.scrollIntoViewIfNeeded();
    await target.tap();
    const tooltip = page.getByTestId('linearity-tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toHaveAttribute('data-layer', '2');
    await expect(target).toHaveAttribute('aria-pressed', 'true');
    // Another pair, another tap: the tooltip follows.
    const other = page.locator('[data-testid="linearity-target"][data-layer="0"]');
    await other.tap();
    await expect(tooltip).toHaveAttribute('data-layer', '0');

    const grid = page.getByTestId('heatmap-grid');
    await grid.scrollIntoViewIfNeeded();
    const box = await grid.boundingBox();
    if (!box) throw new Error('the heatmap grid is not laid out');
    await page.touchscreen.tap(box.x + box.width * 0.2, box.y + box.height * 0.5);
    const cell = page.getByTestId('heatmap-tooltip');
    await expect(cell).toBeVisible();
    expect(Number(await cell.getAttribute('data-token'))).toBeGreaterThanOrEqual(0);
  } finally {
    await context.close();
  }
});
