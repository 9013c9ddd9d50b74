import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, needChromium } from '../support/browser.ts';
import { createTestDatabase } from '../support/database.ts';
import {
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();

/** Records every CSP violation the page reports, before any of the page's own scripts run. */
function recordViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => {
    if (/Content Security Policy/i.test(error.message)) violations.push(error.message);
  });
  void page.exposeFunction('__reportViolation', (text: string) => violations.push(text));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportViolation: (text: string) => void })
        .__reportViolation;
      report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'}`);
    });
  });
  return violations;
}

describe('security headers: the shop works in Chromium under its policy', () => {
  let logic: RunningLogic;
  let frontend: RunningFrontend;
  let browser: Browser | undefined;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-csp' });
    frontend = await startFrontend({ logicUrls: [logic.url] });
    browser = await launchChromium();
    if (!browser) return;
  });
  after(async () => {
    await browser?.close();
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  it('sends nosniff, a referrer policy and a CSP that forbids framing and inline script', async () => {
    for (const path of ['/', '/app.js', '/api/events', '/api/nothing-here']) {
      const { headers } = await fetch(`${frontend.url}${path}`);
      assert.equal(headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(headers.get('referrer-policy'), 'no-referrer', path);
      const csp = headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline or remote script`);
      assert.match(csp, /default-src 'self'/, path);
    }
  });

  it('loads the shop, buys a ticket and reloads with no CSP violation', async (t) => {
    if (!needChromium(t, browser)) return;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const violations = recordViolations(page);
    const response = await page.goto(frontend.url);
    assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await page.waitForLoadState('load');
    assert.deepEqual(violations, [], 'while loading'); // fails fast when the UI is blocked
    const card = page.locator('li.event', { hasText: 'Jazz Night' });
    await card.getByRole('button', { name: /Buy tickets for Jazz Night/ }).click();
    await page.locator('#result').getByText('Your tickets are booked!').waitFor();
    await page.reload();
    await page.locator('li.event', { hasText: 'Jazz Night' }).waitFor();
    assert.deepEqual(violations, []);
    await page.close();
  });
});
