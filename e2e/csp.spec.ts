/**
 * The built site's Content-Security-Policy (vite.config.ts, docs/deploy.md): the preview server
 * sends it with every file; a full analysis runs under it with no violation, in the page or its
 * workers; an inline script, an inline event handler and eval() are refused.
 */
import type { ConsoleMessage, Page } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../vite.config';
import { expect, openApp, test } from './fixtures';

interface Violation {
  directive: string;
  blocked: string;
}

/** Every securitypolicyviolation event in the page, and every CSP complaint a page or worker logs. */
async function watchCsp(page: Page): Promise<{ violations: () => Promise<Violation[]>; logged: string[] }> {
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string }[] = [];
    (globalThis as { __cspViolations?: typeof seen }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
    );
  });
  const logged: string[] = [];
  const onConsole = (m: ConsoleMessage) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) logged.push(m.text());
  };
  page.on('console', onConsole);
  page.on('worker', (w) => w.on('console', onConsole));
  return {
    logged,
    violations: () =>
      page.evaluate(() => [...((globalThis as { __cspViolations?: Violation[] }).__cspViolations ?? [])]),
  };
}

test('every file is served with the CSP, and a full analysis runs under it without a violation', async ({
  page,
  backend,
  request,
}) => {
  for (const path of ['./', './coi-serviceworker.js', './ort/ort-wasm-simd-threaded.asyncify.mjs']) {
    const response = await request.get(path);
    expect(response.headers()['content-security-policy'], path).toBe(CONTENT_SECURITY_POLICY);
  }
  expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  const csp = await watchCsp(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page, backend);
  await page
    .getByTestId('prompt-input')
    .fill('In the beginning was the word, and the word was with the machine.');
  await page.getByTestId('analyze-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('nonlinearity-heatmap')).toHaveAttribute('data-state', 'ready');
  // The chart exports (canvas PNG from an SVG image) work under img-src too.
  const png = page.waitForEvent('download');
  await page.getByTestId('linearity-chart-export-png').click();
  expect((await png).suggestedFilename()).toMatch(/\.png$/);
  expect(await csp.violations()).toEqual([]);
  expect(csp.logged).toEqual([]);
  expect(errors).toEqual([]);
});

test('an injected inline script, an inline handler and code from strings (eval, new Function) are refused by the CSP', async ({
  page,
  backend,
}) => {
  test.skip(backend !== 'wasm', 'The policy does not depend on the backend; checked once, on WASM.');
  const csp = await watchCsp(page);
  await openApp(page, backend);
  const outcome = await page.evaluate(async () => {
    const g = globalThis as { __inline?: number; __handler?: number };
    const script = document.createElement('script');
    script.textContent = 'window.__inline = 1';
    document.body.append(script);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__handler = 1');
    img.src = 'data:,not-an-image';
    document.body.append(img);
    // Later, in a task of the page's own (DevTools lets code it evaluates directly call eval).
    const evaluated = await new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(String(new Function('return "eval ran"')()));
        } catch (e) {
          resolve(e instanceof Error ? e.name : String(e));
        }
      }, 300),
    );
    return { inline: g.__inline ?? null, handler: g.__handler ?? null, evaluated };
  });
  expect(outcome).toEqual({ inline: null, handler: null, evaluated: 'EvalError' });
  const directives = (await csp.violations()).map((v) => v.directive).sort();
  expect(directives).toEqual(['script-src', 'script-src-attr', 'script-src-elem']);
  // The page is untouched: Analyze still works.
  await expect(page.getByTestId('analyze-button')).toBeEnabled();
});
