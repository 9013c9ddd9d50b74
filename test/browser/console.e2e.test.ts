import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { INVARIANT_KINDS } from '../../src/chaos/core/invariants.ts';
import { renderHtmlReport } from '../../src/chaos/core/report/html-report.ts';
import type { ChaosReport } from '../../src/chaos/core/result.ts';
import { MAX_EVENTS_PER_CALL, type NewEvent } from '../../src/shared/admin-api.ts';
import { AdminClient } from '../../src/shared/admin-client.ts';
import { launchChromium, needChromium } from '../support/browser.ts';
import { type Shop, startShop, stopShop } from '../support/shop-process.ts';
import { waitFor } from '../support/wait.ts';

/** The number in a stat of the live panel, e.g. #confirmed. */
async function statNumber(page: Page, id: string): Promise<number> {
  return Number.parseFloat((await page.locator(`#${id}`).textContent()) ?? '');
}

/** "137 events audited at 21:16:51." → 137 (0 before the first check). */
async function auditedEvents(page: Page): Promise<number> {
  const text = (await page.locator('#invariants-status').textContent()) ?? '';
  return Number(/^(\d+) events audited/.exec(text)?.[1] ?? 0);
}

/**
 * More open events than one audit call covers (MAX_EVENTS_PER_CALL), one seat each: buyers go
 * for the scarcest event, so they sweep through them and touch more than 100 in a short run.
 */
const MANY_EVENTS = MAX_EVENTS_PER_CALL + 30;

async function createManyEvents(shop: Shop): Promise<void> {
  const admin = new AdminClient(shop.logicUrls[0] as string, shop.adminToken);
  const events: NewEvent[] = Array.from({ length: MANY_EVENTS }, (_, i) => ({
    id: `console-seat-${i}`,
    name: `One seat #${i}`,
    venue: 'Test venue',
    startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    priceCents: 1000,
    capacity: 1,
  }));
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_CALL) {
    await admin.createEvents(events.slice(i, i + MAX_EVENTS_PER_CALL));
  }
}

/** The event log as shown: [time, text] per line, in page order. */
async function eventLog(page: Page): Promise<{ at: string; text: string }[]> {
  return page.locator('#event-log li').evaluateAll((items) =>
    items.map((item) => ({
      at: item.querySelector('time')?.getAttribute('datetime') ?? '',
      text: (item.textContent ?? '').replace(/^\d\d:\d\d:\d\d /, ''),
    })),
  );
}

/**
 * The control room on `npm start`'s shop, in Chromium, as a presenter would use it: unlock with
 * the token, start buyers, make logic flaky, crash a replica, stop, read the verdict and take
 * the report home. Long by nature (it waits for real purchases, a crash and a restart): it runs
 * in `npm run test:e2e`.
 */
describe('the live control room (/console) on npm start, in Chromium', () => {
  let dataDir: string;
  let shop: Shop;
  let browser: Browser | undefined;
  let page: Page;
  const cspViolations: string[] = [];
  const screenshots = process.env.SCREENSHOT_DIR ?? tmpdir();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-console-'));
    shop = await startShop(dataDir);
    await createManyEvents(shop);
    browser = await launchChromium();
    if (!browser) return;
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

  it('charts buyers through after-commit 30 % and a crash, with every moment marked, and ends on a passing verdict over more than 100 events', async (t) => {
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

    await page.getByLabel('Mode').selectOption('after-commit');
    await page.getByLabel('Rate (%)').fill('30');
    await page.getByRole('button', { name: 'Apply faults' }).click();
    await page.getByText('30% of requests on every logic replica: after-commit').waitFor();
    const confirmedAtFault = await statNumber(page, 'confirmed');
    await waitFor(
      'purchases confirmed during the fault',
      async () => (await statNumber(page, 'confirmed')) >= confirmedAtFault + 30,
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

    await page.getByRole('button', { name: 'Clear faults' }).click();
    await page.getByText('No faults on every logic replica.').waitFor();
    // One audit call covers 100 events: the check must cover every event the buyers touched.
    await waitFor(
      'an audit of more than 100 touched events',
      async () => {
        return (await auditedEvents(page)) > MAX_EVENTS_PER_CALL;
      },
      { timeoutMs: 120_000 },
    );
    await waitFor('the clear to be marked on the charts', () =>
      page
        .locator('[data-chart="confirmed"] .mark')
        .count()
        .then((n) => n >= 5),
    );
    await page.getByRole('button', { name: 'Stop buyers' }).click();
    const verdict = page.locator('#verdict');
    await verdict.getByText(/^Verdict: /).waitFor({ timeout: 60_000 });
    const text = (await verdict.textContent()) ?? '';
    assert.match(text, /^Verdict: pass/, text);
    assert.ok((await statNumber(page, 'user-success')) >= 99, text);
    assert.ok((await auditedEvents(page)) > MAX_EVENTS_PER_CALL, 'the final audit too');
    const tiles = await page
      .locator('#tiles .tile')
      .evaluateAll((items) =>
        items.map((item) => [item.className, item.querySelector('.tile-count')?.textContent]),
      );
    assert.equal(tiles.length, INVARIANT_KINDS.length, 'a tile for every invariant kind');
    for (const [className, count] of tiles) {
      assert.equal(className, 'tile ok');
      assert.equal(count, '0');
    }

    const log = await eventLog(page);
    assert.deepEqual(
      log.map((line) => line.text),
      [
        '4 buyers started',
        'after-commit 30 % on every replica',
        `${crashed} crashed`,
        `${crashed} back`,
        'faults cleared on every replica',
        'buyers stopped',
      ],
    );
    const times = log.map((line) => Date.parse(line.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'the event log is in time order',
    );

    await assertMarkersInPlace(page, times);
    await page.locator('#live-heading').scrollIntoViewIfNeeded();
    await page
      .locator('#charts')
      .locator('..')
      .screenshot({ path: join(screenshots, 'console.png') });
    await assertReportDownloads(page, times, screenshots);

    // A phone: one column, nothing wider than the screen, the charts drawn to its width.
    await page.setViewportSize({ width: 390, height: 844 });
    await waitFor('the charts to fit a phone', () =>
      page.evaluate(() => {
        const plot = document.querySelector('[data-chart="confirmed"] .uplot');
        return (plot?.getBoundingClientRect().width ?? 999) <= 390;
      }),
    );
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#room *')]
        .filter((e) => e.getBoundingClientRect().right > 390)
        .map((e) => `${e.tagName}#${e.id}.${e.className}`)
        .slice(0, 5),
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `the page is ${overflow}px wide on a 390px screen: ${wide}`);
    await page.screenshot({ path: join(screenshots, 'console-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(cspViolations, [], 'the console works under the shop’s CSP');
  });

  it('clears faults at 100 % on the first click while the purchase breaker is open, and reads the audit', async (t) => {
    if (!needChromium(t, browser)) return;
    await page.getByLabel('Buyers (1–6)').fill('2');
    await page.getByRole('button', { name: 'Start buyers' }).click();
    await page.getByLabel('Mode').selectOption('before');
    await page.getByLabel('Rate (%)').fill('100');
    await page.getByRole('button', { name: 'Apply faults' }).click();
    await page.getByText('100% of requests on every logic replica: before').waitFor();
    await page.locator('#breaker', { hasText: /^Open$/ }).waitFor({ timeout: 60_000 });
    // The audit is read past the open breaker too (every third second).
    const status = page.locator('#invariants-status');
    const before = await status.textContent();
    await waitFor('an audit read while the breaker is open', async () => {
      const text = (await status.textContent()) ?? '';
      return text !== before && /events audited at \d/.test(text);
    });
    assert.equal(await page.locator('#breaker').textContent(), 'Open');
    await page.getByRole('button', { name: 'Clear faults' }).click();
    const cleared = page.locator('#faults-status', {
      hasText: /^No faults on every logic replica\.$|^Not changed/,
    });
    await cleared.waitFor({ timeout: 20_000 });
    assert.equal(await cleared.textContent(), 'No faults on every logic replica.');
    await page.getByRole('button', { name: 'Stop buyers' }).click();
    await page
      .locator('#verdict')
      .getByText(/^Verdict: /)
      .waitFor({ timeout: 60_000 });
    assert.deepEqual(cspViolations, [], 'the console works under the shop’s CSP');
  });
});

/**
 * Every chart has a marker per moment, each where its time falls on the time axis: the charts
 * run from the buyers' start to their stop, so a marker's share of the plot's width is its
 * time's share of that span.
 */
async function assertMarkersInPlace(page: Page, times: number[]): Promise<void> {
  const charts = await page.locator('[data-chart]').evaluateAll((hosts) =>
    hosts.map((host) => {
      const over = host.querySelector('.u-over') as HTMLElement;
      const width = over.getBoundingClientRect().width;
      const left = over.getBoundingClientRect().left;
      return [...over.querySelectorAll<HTMLElement>('.mark')].map((mark) => ({
        at: Number(mark.dataset.at),
        share: (mark.getBoundingClientRect().left - left) / width,
      }));
    }),
  );
  assert.equal(charts.length, 5);
  const first = times[0] as number;
  const last = times.at(-1) as number;
  for (const marks of charts) {
    assert.deepEqual(
      marks.map((m) => m.at).sort((a, b) => a - b),
      times,
      'a marker for every line of the event log',
    );
    for (const { at, share } of marks) {
      const expected = (at - first) / (last - first);
      assert.ok(
        Math.abs(share - expected) < 0.02,
        `marker at ${at}: ${share} of the width, expected ${expected}`,
      );
    }
  }
}

/** report.json and report.html as `npm run chaos` writes them, for this session. */
async function assertReportDownloads(page: Page, times: number[], dir: string): Promise<void> {
  const download = async (name: string) => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download ${name}` }).click(),
    ]);
    assert.equal(file.suggestedFilename(), name);
    await file.saveAs(join(dir, `console-${name}`));
    return readFile(await file.path(), 'utf8');
  };
  const report = JSON.parse(await download('report.json')) as ChaosReport;
  assert.equal(report.tool, 'flametickets-chaos');
  assert.equal(report.profile, 'live', 'a session timed by hand, neither of the runner profiles');
  assert.equal(report.verdict, 'pass');
  const [scenario] = report.scenarios;
  assert.ok(scenario);
  assert.equal(scenario.name, 'console');
  assert.equal(scenario.verdict, 'pass');
  assert.ok(scenario.checks.every((c) => c.ok));
  assert.ok((scenario.evidence?.purchasesConfirmed.fault ?? 0) >= 30, 'purchases in the fault');
  // The fault window runs from the after-commit fault to the clear (the replica came back first).
  const started = Date.parse(scenario.startedAt);
  assert.ok(Math.abs(scenario.phases.fault.start - ((times[1] as number) - started)) < 5);
  assert.ok(Math.abs(scenario.phases.fault.end - ((times[4] as number) - started)) < 5);
  assert.equal(await download('report.html'), renderHtmlReport(report), 'the runner’s own page');
}
