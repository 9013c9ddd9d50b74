import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, needChromium } from '../support/browser.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
import {
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();

/**
 * The web UI after an answer that says nothing definite: every logic response fails after the
 * order was committed, so the frontend's retries are all lost and the browser gets a 503 while
 * the order exists. Whatever the user does next — try again, reload — there is one order.
 */
describe('the shop after an ambiguous failure, in a real browser (Chromium)', () => {
  let logic: RunningLogic;
  let frontend: RunningFrontend;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-ambiguous' });
    frontend = await startFrontend({
      logicUrls: [logic.url],
      env: { LOGIC_DEADLINE_MS: '1500', LOGIC_RETRIES: '1', RETRY_BASE_MS: '10' },
    });
    browser = await launchChromium();
    if (!browser) return;
  });
  beforeEach(async () => {
    // A fresh page each time: sessionStorage (the pending attempts) starts empty.
    await page?.context().close();
    if (browser) page = await (await browser.newContext()).newPage();
  });
  after(async () => {
    await browser?.close();
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  const createEvent = (name: string, capacity: number) =>
    createTestEvent(logic.pool, { capacity, prefix: 'amb', name });

  async function ordersOf(eventId: string): Promise<{ quantity: number }[]> {
    const { rows } = await logic.pool.query('SELECT quantity FROM orders WHERE event_id = $1', [
      eventId,
    ]);
    return rows;
  }

  function lostResponses(on: boolean): void {
    logic.faults.update({ rate: on ? 1 : 0, latencyMs: 0, mode: 'after-commit' });
  }

  /** Buys with every answer lost; the page ends showing the unresolved attempt. */
  async function buyIntoTheFault(name: string, quantity: number): Promise<Locator> {
    await page.goto(frontend.url);
    const card = page.locator('li.event', { hasText: name });
    await card.getByLabel('Tickets', { exact: true }).selectOption(String(quantity));
    lostResponses(true);
    try {
      await card.getByRole('button', { name: `Buy tickets for ${name}` }).click();
      await page.locator('#result').getByText('Your order is not confirmed yet').waitFor();
    } finally {
      lostResponses(false);
    }
    const tickets = quantity === 1 ? '1 ticket' : `${quantity} tickets`;
    await card.getByText(`Your order for ${tickets} may have gone through`).waitFor();
    return card;
  }

  it('keeps the attempt after a 503 and buys exactly once when the user tries again', async (t) => {
    if (!needChromium(t, browser)) return;
    const eventId = await createEvent('Ambiguous Try Again', 10);
    const card = await buyIntoTheFault('Ambiguous Try Again', 2);
    assert.equal((await ordersOf(eventId)).length, 1, 'the fault let the order commit');
    const quantity = card.getByLabel('Tickets', { exact: true });
    assert.equal(await quantity.inputValue(), '2', 'the quantity stays the attempt’s');
    assert.ok(await quantity.isDisabled(), 'and cannot be changed while it is unresolved');

    await card.getByRole('button', { name: 'Try again for Ambiguous Try Again' }).click();
    await page.locator('#result').getByText('Your tickets are booked!').waitFor();
    assert.deepEqual(await ordersOf(eventId), [{ quantity: 2 }]);
    await card.getByText('8 of 10 seats left').waitFor();
    assert.match((await page.locator('#result').textContent()) ?? '', /same order, not a second/);
  });

  it('resumes the unresolved attempt after a reload and settles it with the same key', async (t) => {
    if (!needChromium(t, browser)) return;
    const eventId = await createEvent('Ambiguous Reload', 10);
    await buyIntoTheFault('Ambiguous Reload', 3);
    await page.reload();
    await page.locator('#result').getByText('Your tickets are booked!').waitFor();
    const card = page.locator('li.event', { hasText: 'Ambiguous Reload' });
    await card.getByText('7 of 10 seats left').waitFor();
    assert.deepEqual(await ordersOf(eventId), [{ quantity: 3 }]);
    // Settled: the next purchase is a new attempt with a new key.
    await card.getByRole('button', { name: 'Buy tickets for Ambiguous Reload' }).click();
    await card.getByText('6 of 10 seats left').waitFor();
    assert.equal((await ordersOf(eventId)).length, 2);
  });

  it('ends on "booked", never "sold out", when the lost answer took the last seats', async (t) => {
    if (!needChromium(t, browser)) return;
    const eventId = await createEvent('Ambiguous Last Seats', 3);
    const card = await buyIntoTheFault('Ambiguous Last Seats', 3);
    const button = card.getByRole('button', { name: 'Try again for Ambiguous Last Seats' });
    assert.ok(await button.isEnabled(), 'the unresolved attempt can be tried again');
    assert.doesNotMatch((await card.textContent()) ?? '', /Sold out/);

    await button.click();
    await page.locator('#result').getByText('Your tickets are booked!').waitFor();
    assert.match((await page.locator('#result').textContent()) ?? '', /3 × Ambiguous Last Seats/);
    assert.deepEqual(await ordersOf(eventId), [{ quantity: 3 }]);
  });

  it('asks before starting a different order while one is unresolved', async (t) => {
    if (!needChromium(t, browser)) return;
    const eventId = await createEvent('Ambiguous Start Over', 10);
    const card = await buyIntoTheFault('Ambiguous Start Over', 2);
    await card.getByRole('button', { name: 'Start a different order' }).click();
    const warning = card.getByRole('alert');
    assert.match((await warning.textContent()) ?? '', /you would pay for\s+both/);
    await warning.getByRole('button', { name: 'Yes, start a new order' }).click();
    await card.getByLabel('Tickets', { exact: true }).selectOption('1');
    await card.getByRole('button', { name: 'Buy tickets for Ambiguous Start Over' }).click();
    await page.locator('#result').getByText('Your tickets are booked!').waitFor();
    const quantities = (await ordersOf(eventId)).map((o) => o.quantity).sort();
    assert.deepEqual(quantities, [1, 2], 'the user chose a second order, knowingly');
  });
});
