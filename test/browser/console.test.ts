import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, needChromium } from '../support/browser.ts';
import { type Shop, startShop, stopShop } from '../support/shop-process.ts';
import { waitFor } from '../support/wait.ts';

/** The number in a stat of the live panel, e.g. #confirmed. */
async function statNumber(page: Page, id: string): Promise<number> {
  return Number.parseFloat((await page.locator(`#${id}`).textContent()) ?? '');
}

/**
 * The control room on `npm start`'s shop, in Chromium, as a presenter would use it: unlock with
 * the token, start buyers, make logic flaky, crash a replica, stop, read the verdict. Long by
 * nature (it waits for real purchases, a crash and a restart): it runs in `npm run test:e2e`.
 */
describe('the live control room (/console) on npm start, in Chromium', () => {
  let dataDir: string;
  let shop: Shop;
  let browser: Browser | undefined;
  let page: Page;
  const cspViolations: string[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-console-'));
    shop = await startShop(dataDir);
    browser = await launchChromium();
    if (!browser) return;
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        cspViolations.push(message.text());
      }
    });
  });
  after(async () => {
    await browser?.close();
    await stopShop(shop);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a wrong admin token with a clear message', async (t) => {
    if (!needChromium(t, browser)) return;
    await page.goto(`${shop.frontendUrl}/console`);
    await page.getByLabel('Admin token').fill('not-the-token-but-long-enough');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('That admin token was refused').waitFor();
    assert.ok(await page.locator('#room').isHidden());
    assert.doesNotMatch(page.url(), /token/i, 'the token never goes into a URL');
  });

  it('runs buyers through 20 % faults and a crashed replica, and ends on a passing verdict', async (t) => {
    if (!needChromium(t, browser)) return;
    await page.getByLabel('Admin token').fill(shop.adminToken);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('#room').waitFor();

    await page.getByLabel('Buyers (1–6)').fill('4');
    await page.getByRole('button', { name: 'Start buyers' }).click();
    await waitFor(
      'purchases before the fault',
      async () => (await statNumber(page, 'confirmed')) >= 10,
    );

    await page.getByLabel('Mode').selectOption('before');
    await page.getByLabel('Rate (%)').fill('20');
    await page.getByRole('button', { name: 'Apply faults' }).click();
    await page.getByText('20% of requests on every logic replica: before').waitFor();
    const confirmedAtFault = await statNumber(page, 'confirmed');
    await waitFor(
      'purchases confirmed during the fault',
      async () => {
        return (await statNumber(page, 'confirmed')) >= confirmedAtFault + 30;
      },
      { timeoutMs: 90_000 },
    );
    assert.match(shop.output(), /injecting fault/, 'logic really injected faults');

    await page.getByRole('button', { name: 'Crash a logic replica' }).click();
    const status = page.locator('#crash-status', { hasText: /logic-\d crashed\./ });
    await status.waitFor();
    const crashed = /(logic-\d) crashed/.exec((await status.textContent()) ?? '')?.[1];
    assert.ok(crashed, 'the console names the crashed replica');
    await page.getByText(`${crashed} is back and serving again.`).waitFor({ timeout: 90_000 });
    assert.match(shop.output(), new RegExp(`${crashed} was killed; restarting it in \\d+ s`));

    await page.screenshot({
      path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/flametickets-console.png`,
      fullPage: true,
    });
    await page.getByRole('button', { name: 'Clear faults' }).click();
    await page.getByText('No faults on every logic replica.').waitFor();
    await page.getByRole('button', { name: 'Stop buyers' }).click();
    const verdict = page.locator('#verdict');
    await verdict.getByText(/^Verdict: /).waitFor({ timeout: 60_000 });
    const text = (await verdict.textContent()) ?? '';
    assert.match(text, /^Verdict: pass/, text);
    assert.ok((await statNumber(page, 'user-success')) >= 99, text);
    const tiles = await page
      .locator('#tiles .tile')
      .evaluateAll((items) =>
        items.map((item) => [item.className, item.querySelector('.tile-count')?.textContent]),
      );
    assert.equal(tiles.length, 8);
    for (const [className, count] of tiles) {
      assert.equal(className, 'tile ok');
      assert.equal(count, '0');
    }
    assert.deepEqual(cspViolations, [], 'the console works under the shop’s CSP');
  });
});
