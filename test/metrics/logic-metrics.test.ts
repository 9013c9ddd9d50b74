import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { newKey, request } from '../support/http.ts';
import { type Scrape, scrape } from '../support/prometheus.ts';
import { ADMIN_TOKEN, type RunningLogic, startLogic } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();

describe(`logic /metrics (${db.engine})`, () => {
  let logic: RunningLogic;
  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-metrics' });
  });
  after(async () => {
    await logic?.close();
    await db.drop();
  });

  const order = (key: string, quantity = 2, eventId = 'open-air-festival') =>
    request(`${logic.url}/orders`, {
      method: 'POST',
      body: { eventId, quantity },
      headers: { 'idempotency-key': key },
    });
  /** The request histogram is observed when the response closes: poll, don't assume. */
  const requestsSeen = async (labels: Record<string, string>, count: number) => {
    let last: Scrape | undefined;
    await waitFor(`${count} requests ${JSON.stringify(labels)}`, async () => {
      last = await scrape(logic.metricsUrl);
      return last.count('flame_http_request_duration_seconds', labels) >= count;
    });
    return last as Scrape;
  };

  it('serves Prometheus text with the process metrics and the database pool', async () => {
    const page = await scrape(logic.metricsUrl);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'flame_db_pool_clients',
      'flame_db_pool_idle_clients',
      'flame_db_pool_waiting_requests',
    ]) {
      assert.ok(page.families.has(name), `${name} is exposed`);
    }
    assert.ok(page.value('flame_db_pool_clients') >= 1, 'the pool has opened a connection');
  });

  it('counts orders placed and seats sold, and a same-key retry as a replay, not an order', async () => {
    const before = await scrape(logic.metricsUrl);
    const key = newKey();
    assert.equal((await order(key, 3)).status, 201);
    const retry = await order(key, 3);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal((await order(newKey(), 2, 'no-such-event')).status, 404);

    const now = await scrape(logic.metricsUrl);
    const moved = (name: string, labels: Record<string, string> = {}) =>
      now.value(name, labels) - before.value(name, labels);
    assert.equal(moved('flame_orders_placed_total'), 1);
    assert.equal(moved('flame_seats_sold_total'), 3);
    assert.equal(moved('flame_idempotent_replays_total', { status_code: '201' }), 1);
    assert.equal(moved('flame_idempotent_replays_total', { status_code: '404' }), 0);
  });

  it('counts injected faults by mode, set through the admin API', async (t) => {
    const setFaults = async (settings: Record<string, unknown>) => {
      const answer = await request(`${logic.url}/admin/faults`, {
        method: 'PUT',
        body: settings,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    };
    t.after(() => setFaults({ rate: 0 }));
    const before = await scrape(logic.metricsUrl);
    await setFaults({ rate: 1, mode: 'before' });
    assert.equal((await request(`${logic.url}/events`)).status, 500);
    await setFaults({ rate: 1, mode: 'after-commit' });
    assert.equal((await order(newKey(), 1)).status, 500);
    await setFaults({ rate: 0 });

    const now = await scrape(logic.metricsUrl);
    const moved = (mode: string) =>
      now.value('flame_faults_injected_total', { mode }) -
      before.value('flame_faults_injected_total', { mode });
    assert.equal(moved('before'), 1);
    assert.equal(moved('after-commit'), 1);
    assert.equal(moved('delay'), 0);
    // The order behind the lost after-commit answer was placed all the same.
    assert.equal(
      now.value('flame_orders_placed_total') - before.value('flame_orders_placed_total'),
      1,
    );
  });

  it('labels requests with the route pattern and status, never the raw URL', async () => {
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) assert.equal((await request(`${logic.url}/orders/${id}`)).status, 404);
    const page = await requestsSeen({ route: '/orders/:id', status_code: '404' }, 2);
    const routes = page
      .samples('flame_http_request_duration_seconds')
      .map((sample) => sample.labels?.route ?? '');
    assert.ok(
      routes.every((route) => !ids.some((id) => route.includes(id))),
      `no route label carries an id: ${[...new Set(routes)].join(', ')}`,
    );
  });

  it('labels an admin route with its mount path, also when it answers with an error', async () => {
    const bad = await request(`${logic.url}/admin/faults`, {
      method: 'PUT',
      body: { rate: 7 },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(bad.status, 400);
    await requestsSeen({ route: '/admin/faults', method: 'PUT', status_code: '400' }, 1);
  });

  it('is not served on the API port', async () => {
    assert.equal((await request(`${logic.url}/metrics`)).status, 404);
  });
});
