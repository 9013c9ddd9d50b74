import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { type EventsBody, newKey, request } from '../support/http.ts';
import { type Scrape, scrape } from '../support/prometheus.ts';
import { type RunningLogic, startFrontend, startLogic } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();
after(() => db.drop());

const buy = (frontendUrl: string, key = newKey()) =>
  request(`${frontendUrl}/api/orders`, {
    method: 'POST',
    body: { eventId: 'open-air-festival', quantity: 1 },
    headers: { 'idempotency-key': key },
  });

describe(`frontend /metrics (${db.engine})`, () => {
  let good: RunningLogic;
  before(async () => {
    good = await startLogic({ databaseUrl: db.url, replica: 'logic-good' });
  });
  after(() => good?.close());

  it('serves Prometheus text with the process metrics, apart from the public port', async (t) => {
    const frontend = await startFrontend({ logicUrls: [good.url] });
    t.after(() => frontend.close());
    const page = await scrape(frontend.metricsUrl);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']) {
      assert.ok(page.families.has(name), `${name} is exposed`);
    }
    assert.equal(page.value('flame_logic_breaker_state', { state: 'closed' }), 1);
    assert.equal(page.value('flame_logic_breaker_state', { state: 'open' }), 0);
    assert.equal((await request(`${frontend.url}/metrics`)).status, 404);
  });

  it('counts each retry: one per fault drawn by the faulty replica, every purchase answered', async (t) => {
    const faulty = await startLogic({
      databaseUrl: db.url,
      replica: 'logic-faulty',
      faults: { rate: 1, latencyMs: 0, mode: 'before' },
    });
    const frontend = await startFrontend({ logicUrls: [faulty.url, good.url] });
    t.after(async () => {
      await frontend.close();
      await faulty.close();
    });
    for (let i = 0; i < 6; i++) assert.equal((await buy(frontend.url)).status, 201);

    const front = await scrape(frontend.metricsUrl);
    const injected = (await scrape(faulty.metricsUrl)).value('flame_faults_injected_total', {
      mode: 'before',
    });
    assert.ok(injected > 0, 'some purchases went to the faulty replica first');
    assert.equal(front.value('flame_logic_retries_total'), injected);
    // Each injected 500 is one failed attempt on orders, as the chaos runner's proofs count them.
    const failed = (cause: string) =>
      front.value('flame_logic_failed_attempts_total', { call: 'orders', cause });
    assert.equal(failed('status_5xx'), injected);
    assert.equal(failed('timeout') + failed('network'), 0);
    assert.equal(front.value('flame_logic_calls_total', { outcome: 'answered' }), 6);
    assert.equal(front.value('flame_logic_calls_total', { outcome: 'unavailable' }), 0);
  });

  it('counts stale catalog reads and fail-fast calls once logic stops, and shows the breaker open', async (t) => {
    const doomed = await startLogic({ databaseUrl: db.url, replica: 'logic-doomed' });
    const frontend = await startFrontend({
      logicUrls: [doomed.url],
      env: { CATALOG_MAX_AGE_MS: '0', LOGIC_RETRIES: '0', BREAKER_THRESHOLD: '1' },
    });
    t.after(async () => {
      await frontend.close();
      await doomed.close();
    });
    const events = () => request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal((await events()).body.stale, false);
    await doomed.close();

    for (let i = 0; i < 3; i++) assert.equal((await events()).body.stale, true);
    const page = await scrape(frontend.metricsUrl);
    assert.equal(page.value('flame_catalog_stale_reads_total'), 3);
    assert.equal(page.value('flame_logic_calls_total', { outcome: 'answered' }), 1);
    assert.equal(page.value('flame_logic_calls_total', { outcome: 'unavailable' }), 1);
    assert.equal(page.value('flame_logic_calls_total', { outcome: 'circuit_open' }), 2);
    assert.equal(page.value('flame_logic_breaker_state', { state: 'open' }), 1);
    assert.equal(page.value('flame_logic_breaker_state', { state: 'closed' }), 0);
  });

  it('labels requests with the route pattern, also for a 4xx raised inside the /api router', async (t) => {
    const frontend = await startFrontend({ logicUrls: [good.url] });
    t.after(() => frontend.close());
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) {
      assert.equal((await request(`${frontend.url}/api/orders/${id}`)).status, 404);
    }
    const noJson = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      rawBody: '{"eventId":',
      headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
    });
    assert.equal(noJson.status, 400);
    assert.equal((await request(`${frontend.url}/no/such/page`)).status, 404);

    let page: Scrape | undefined;
    const seen = (labels: Record<string, string>) =>
      page?.count('flame_http_request_duration_seconds', labels) ?? 0;
    await waitFor('the four requests in the histogram', async () => {
      page = await scrape(frontend.metricsUrl);
      return (
        seen({ route: '/api/orders/:id', status_code: '404' }) === 2 &&
        seen({ route: '/api/orders', method: 'POST', status_code: '400' }) === 1 &&
        seen({ route: 'none', status_code: '404' }) === 1
      );
    });
    const routes = (page as Scrape)
      .samples('flame_http_request_duration_seconds_count')
      .map((sample) => sample.labels.route ?? '');
    assert.ok(
      routes.every((route) => !ids.some((id) => route.includes(id))),
      `no route label carries an id: ${[...new Set(routes)].join(', ')}`,
    );
  });
});
