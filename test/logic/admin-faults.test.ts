// GET /admin/faults counts the faults logic really injected, per mode and for orders apart:
// the chaos runner's proof that a fault scenario's fault bit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InjectedCounts } from '../../src/logic/faults.ts';
import { createTestDatabase } from '../support/database.ts';
import { newKey, request } from '../support/http.ts';
import { ADMIN_TOKEN, type RunningLogic, startLogic } from '../support/servers.ts';

const db = await createTestDatabase();
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe(`logic fault counts on the ${db.engine} database`, () => {
  let logic: RunningLogic;
  let eventId: string;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url });
    eventId = `faults-${randomUUID().slice(0, 8)}`;
    await logic.pool.query(
      `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
       VALUES ($1, 'Fault test', 'Hall', now(), 100, 3, 3)`,
      [eventId],
    );
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });

  const setFaults = (body: unknown) =>
    request(`${logic.url}/admin/faults`, { method: 'PUT', body, headers: auth });
  const counts = async () =>
    (
      await request<{ injected: { counts: InjectedCounts } }>(`${logic.url}/admin/faults`, {
        headers: auth,
      })
    ).body.injected.counts;
  const order = (quantity: number) =>
    request(`${logic.url}/orders`, {
      method: 'POST',
      body: { eventId, quantity },
      headers: { 'idempotency-key': newKey() },
    });

  it('counts before-faults on orders and on other requests apart', async () => {
    await setFaults({ rate: 1, mode: 'before' });
    assert.equal((await order(1)).status, 500);
    assert.equal((await request(`${logic.url}/events`)).status, 500);
    const seen = await counts();
    assert.deepEqual(seen.before, { orders: 1, other: 1 });
  });

  it('counts an after-commit fault only when the handler got to answer: the answer was lost', async () => {
    await setFaults({ rate: 1, mode: 'after-commit' });
    assert.equal((await order(2)).status, 500, 'committed, then failed');
    const invalid = await request(`${logic.url}/orders`, {
      method: 'POST',
      body: { eventId, quantity: 0 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(invalid.status, 400, 'rejected before any work: the answer goes out');
    const seen = await counts();
    assert.deepEqual(seen['after-commit'], { orders: 1, other: 0 });
    assert.deepEqual(seen.before, { orders: 0, other: 0 }, 'new settings start new counts');
  });

  it('counts delays', async () => {
    await setFaults({ rate: 1, mode: 'delay', latencyMs: 1 });
    assert.equal((await order(1)).status, 201);
    assert.equal((await counts()).delay.orders, 1);
  });
});
