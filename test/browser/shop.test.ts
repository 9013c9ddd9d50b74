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

const FRONTEND_ENV = {
  LOGIC_DEADLINE_MS: '1500',
  LOGIC_RETRIES: '1',
  RETRY_BASE_MS: '10',
  // The logic-down test reloads right after stopping logic: no fresh list to lean on.
  CATALOG_MAX_AGE_MS: '0',
};

describe('the shop in a real browser (Chromium via playwright-core)', () => {
  let logic: RunningLogic;
  let frontend: RunningFrontend;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-browser' });
    frontend = await startFrontend({ logicUrls: [logic.url], env: FRONTEND_ENV });
    browser = await launchChromium();
    if (!browser) return;
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  });
  after(async () => {
    await browser?.close();
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  it('buys a ticket and shows the confirmation with the order id', async (t) => {
    if (!needChromium(t, browser)) return;
    await page.goto(frontend.url);
    const card = page.locator('li.event', { hasText: 'String Quartet' });
    await card.getByLabel('Tickets', { exact: true }).selectOption('2');
    await card.getByRole('button', { name: /Buy tickets for String Quartet/ }).click();
    const result = page.locator('#result');
    await result.getByText('Your tickets are booked!').waitFor();
    const text = await result.textContent();
    assert.match(text ?? '', /2 × String Quartet/);
    assert.match(text ?? '', /Order id: [0-9a-f-]{36}/);
    assert.match(text ?? '', /logic replica logic-browser/);
    await card.getByText('118 of 120 seats left').waitFor();
    assert.equal(await page.locator('#catalog-served-by').textContent(), 'logic-browser');
  });

  it('shows the friendly message and the stale banner when logic is down', async (t) => {
    if (!needChromium(t, browser)) return;
    // A logic and a frontend of its own: the logic it stops is no other test's.
    const doomed = await startLogic({ databaseUrl: db.url, replica: 'logic-going-down' });
    const shop = await startFrontend({ logicUrls: [doomed.url], env: FRONTEND_ENV });
    t.after(async () => {
      await shop.close();
      await doomed.close();
    });
    // The page is open and the frontend has a good list to fall back on, then logic goes.
    await page.goto(shop.url);
    await page.locator('li.event', { hasText: 'Jazz Night' }).waitFor();
    await doomed.close();
    await page.reload();
    await page.locator('#stale-banner').waitFor({ state: 'visible' });
    const card = page.locator('li.event', { hasText: 'Jazz Night' });
    await card.getByRole('button', { name: /Buy tickets/ }).click();
    const result = page.locator('#result');
    await result.getByText('Your order is not confirmed yet').waitFor();
    assert.match((await result.textContent()) ?? '', /busy right now\. Please try again/);
    assert.match((await result.textContent()) ?? '', /you will not be charged twice/);
    await page.screenshot({
      path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/flametickets-logic-down.png`,
    });
  });
});
