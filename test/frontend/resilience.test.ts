import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import {
  type ErrorBody,
  type EventsBody,
  newKey,
  type OrderBody,
  request,
} from '../support/http.ts';
import {
  LogCapture,
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();

interface Purchase {
  key: string;
  status: number;
  /** The frontend's request id, which logic logs too (forwarded as x-request-id). */
  reqId: string;
  /** Answered from the order a key already had (the frontend's retry after a lost answer). */
  replayed: boolean;
  orderId?: string;
}

/** Runs `count` purchases, `concurrency` at a time, each with its own key. */
async function purchases(frontendUrl: string, count: number, concurrency = 10) {
  const results: Purchase[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const key = newKey();
        const res = await request<OrderBody & ErrorBody>(`${frontendUrl}/api/orders`, {
          method: 'POST',
          body: { eventId: 'open-air-festival', quantity: 1 },
          headers: { 'idempotency-key': key },
        });
        results.push({
          key,
          status: res.status,
          reqId: res.headers.get('x-request-id') ?? '',
          replayed: res.headers.get('idempotent-replayed') === 'true',
          ...(res.body.order ? { orderId: res.body.order.id } : {}),
        });
      }
    }),
  );
  return results;
}

/** Two logic replicas where 20% of requests are hit by a fault of this mode (seeded). */
function startFaultyReplicas(mode: 'before' | 'after-commit', logs?: LogCapture) {
  return Promise.all(
    [1, 2].map((n) =>
      startLogic({
        databaseUrl: db.url,
        replica: `${mode}-${n}`,
        faults: { rate: 0.2, latencyMs: 0, mode, seed: n },
        ...(logs ? { logs } : {}),
      }),
    ),
  );
}

// Quick retries, and time limits a busy machine cannot reach: these suites are about faults,
// so a slow answer under load must not be turned into a timeout, a failure and an open breaker.
const FAST_RETRIES = {
  RETRY_BASE_MS: '5',
  RETRY_MAX_MS: '20',
  LOGIC_ATTEMPT_TIMEOUT_MS: '60000',
  LOGIC_DEADLINE_MS: '120000',
};

describe(`frontend resilience on the ${db.engine} database`, () => {
  after(() => db.drop());

  describe('with 20% of logic requests failing before any work', () => {
    const logs = new LogCapture();
    let logic: RunningLogic[];
    let frontend: RunningFrontend;
    let results: Purchase[];
    // The purchases run here, not in the first test, so each test below passes alone.
    before(async () => {
      logic = await startFaultyReplicas('before', logs);
      frontend = await startFrontend({
        logicUrls: logic.map((l) => l.url),
        env: FAST_RETRIES,
        logs,
      });
      results = await purchases(frontend.url, 200);
    });
    after(async () => {
      await frontend.close();
      await Promise.all(logic.map((l) => l.close()));
    });

    it('lets at least 99% of 200 purchases succeed for the client', () => {
      const ok = results.filter((r) => r.status === 201).length;
      assert.ok(ok >= 198, `only ${ok}/200 purchases succeeded`);
    });

    it('logs each retry at warn with the attempt, the delay and the cause', () => {
      const retries = logs.records.filter((r) => r.msg === 'retrying call to logic');
      assert.ok(retries.length > 0, 'some calls were retried');
      for (const line of retries) {
        assert.equal(line.level, 'warn');
        assert.equal(typeof line.attempt, 'number');
        assert.equal(typeof line.delayMs, 'number');
        assert.equal(typeof line.cause, 'string');
        assert.ok(line.reqId, 'retry lines carry the request id');
      }
      assert.ok(
        retries.some((r) => r.cause === 'status 500'),
        'the injected 500s were retried',
      );
    });

    it('logs each injected fault at warn in logic, with the request id', () => {
      const faults = logs.records.filter((r) => r.msg === 'injecting fault');
      assert.ok(faults.length > 0);
      for (const line of faults) {
        assert.equal(line.level, 'warn');
        assert.equal(line.service, 'logic');
        assert.ok(line.reqId);
        assert.deepEqual(line.fault, { hit: true, latencyMs: 0, mode: 'before' });
      }
    });
  });

  describe('with 20% of orders committed and then their response failed', () => {
    const logs = new LogCapture();
    let logic: RunningLogic[];
    let frontend: RunningFrontend;
    let results: Purchase[];
    before(async () => {
      logic = await startFaultyReplicas('after-commit', logs);
      frontend = await startFrontend({ logicUrls: logic.map((l) => l.url), env: FAST_RETRIES });
      results = await purchases(frontend.url, 150);
    });
    after(async () => {
      await frontend.close();
      await Promise.all(logic.map((l) => l.close()));
    });

    it('stores every confirmed purchase exactly once and never two orders for one key', async () => {
      const confirmed = results.filter((r) => r.status === 200 || r.status === 201);
      assert.ok(confirmed.length >= 148, `only ${confirmed.length}/150 confirmed`);
      const pool = logic[0]?.pool;
      assert.ok(pool);
      const { rows } = await pool.query<{ idempotency_key: string; id: string }>(
        'SELECT idempotency_key, id FROM orders WHERE idempotency_key = ANY($1)',
        [results.map((r) => r.key)],
      );
      const byKey = new Map<string, string[]>();
      for (const row of rows)
        byKey.set(row.idempotency_key, [...(byKey.get(row.idempotency_key) ?? []), row.id]);
      for (const purchase of confirmed) {
        assert.deepEqual(byKey.get(purchase.key), [purchase.orderId], `key ${purchase.key}`);
      }
      assert.ok([...byKey.values()].every((ids) => ids.length === 1));
    });

    it('really lost answers after commit, and the retries got the committed order back', () => {
      // Without this the test above also passes with the faults switched off.
      const faulted = new Set(
        logs.records
          .filter((r) => r.msg === 'injecting fault')
          .filter((r) => (r.fault as { mode?: string }).mode === 'after-commit')
          .map((r) => r.reqId),
      );
      assert.ok(faulted.size >= 10, `only ${faulted.size} of 150 answers were failed after commit`);
      const hit = results.filter((r) => faulted.has(r.reqId) && r.status < 300);
      assert.ok(hit.length > 0, 'some confirmed purchases had an answer lost after commit');
      for (const purchase of hit) {
        assert.equal(purchase.replayed, true, `key ${purchase.key}: answered by a replay`);
      }
    });
  });

  describe('when logic goes down and comes back', () => {
    const logs = new LogCapture();
    let logic: RunningLogic;
    let frontend: RunningFrontend;
    let port: number;
    before(async () => {
      logic = await startLogic({ databaseUrl: db.url, replica: 'solo' });
      port = Number(new URL(logic.url).port);
      frontend = await startFrontend({
        logicUrls: [logic.url],
        env: {
          ...FAST_RETRIES,
          LOGIC_DEADLINE_MS: '1500',
          BREAKER_THRESHOLD: '3',
          BREAKER_HALF_OPEN_MS: '300',
          // Every read goes to logic, so the moment it is down shows at once.
          CATALOG_MAX_AGE_MS: '0',
        },
        logs,
      });
    });
    after(async () => {
      await frontend.close();
      await logic.close();
    });

    it('serves a stale catalog and a friendly 503, opens the breaker, then recovers', async () => {
      const fresh = await request<EventsBody>(`${frontend.url}/api/events`);
      assert.equal(fresh.body.stale, false);
      await logic.close();

      const stale = await request<EventsBody>(`${frontend.url}/api/events`);
      assert.equal(stale.status, 200);
      assert.equal(stale.body.stale, true);
      assert.deepEqual(stale.body.events, fresh.body.events);

      const down = await request<ErrorBody>(`${frontend.url}/api/orders`, {
        method: 'POST',
        body: { eventId: 'rust-conf', quantity: 1 },
        headers: { 'idempotency-key': newKey() },
      });
      assert.equal(down.status, 503);
      assert.equal(down.body.error.code, 'SERVICE_UNAVAILABLE');
      assert.match(down.body.error.message, /try again/i);
      assert.ok(Number(down.headers.get('retry-after')) >= 1);

      for (let i = 0; i < 3; i++) await request(`${frontend.url}/api/events`);
      assert.equal(frontend.client.breakerState, 'Open');
      assert.ok(
        logs.records.some(
          (r) => r.msg === 'logic circuit breaker changed state' && r.level === 'warn',
        ),
      );

      logic = await startLogic({ databaseUrl: db.url, replica: 'solo', port });
      await waitFor(
        'the catalog to be fresh again once logic is back',
        async () => {
          const res = await request<EventsBody>(`${frontend.url}/api/events`);
          return res.status === 200 && res.body.stale === false;
        },
        { intervalMs: 100 },
      );
      const order = await request<OrderBody>(`${frontend.url}/api/orders`, {
        method: 'POST',
        body: { eventId: 'rust-conf', quantity: 1 },
        headers: { 'idempotency-key': newKey() },
      });
      assert.equal(order.status, 201);
      assert.equal(frontend.client.breakerState, 'Closed');
    });
  });
});
