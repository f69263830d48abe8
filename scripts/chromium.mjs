import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Which Chromium the end-to-end tests drive: `CHROMIUM_PATH` when set; Debian's `/usr/bin/chromium`
 * on our machines (Playwright cannot download browsers here); otherwise Playwright's own browser,
 * where `npx playwright install chromium` put one (an ordinary laptop). Null when there is none.
 */
export function chromiumExecutableOrNull() {
  if (process.env.CHROMIUM_PATH)
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    const { chromium } = createRequire(import.meta.url)('@playwright/test');
    const own = chromium.executablePath();
    return own && existsSync(own) ? own : null;
  } catch {
    return null;
  }
}
