import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/logic/migrations.ts';
import { hashOrderRequest } from '../../src/logic/orders.ts';
import { parseOrderRequest } from '../../src/shared/order-request.ts';
import { createTestDatabase, raceSkip } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
import {
  type ErrorBody,
  type EventsBody,
  newKey,
  type OrderBody,
  request,
} from '../support/http.ts';
import { type RunningLogic, startLogic } from '../support/servers.ts';

const db = await createTestDatabase();
/** Set on the embedded engine, where requests cannot overlap: the race tests are skipped. */
const cannotRace = raceSkip(db);

describe(`logic orders on the ${db.engine} database`, () => {
  let logic: RunningLogic;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url });
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });

  const createEvent = (capacity: number) => createTestEvent(logic.pool, { capacity });

  async function seatsLeft(eventId: string): Promise<number> {
    const { rows } = await logic.pool.query('SELECT available FROM events WHERE id = $1', [
      eventId,
    ]);
    return rows[0].available;
  }

  function order(eventId: string, quantity: number, key = newKey()) {
    return request<OrderBody & ErrorBody>(`${logic.url}/orders`, {
      method: 'POST',
      body: { eventId, quantity },
      headers: { 'idempotency-key': key },
    });
  }

  it('lists the seeded catalog with seats left', async () => {
    const res = await request<EventsBody>(`${logic.url}/events`);
    assert.equal(res.status, 200);
    assert.ok(res.body.events.length >= 5);
    assert.ok(
      res.body.events.some((e) => e.capacity <= 50),
      'a small event that can sell out in a demo',
    );
    assert.equal(res.headers.get('x-served-by'), 'logic-test');
  });

  it('creates an order with 201 and decrements the seats left', async () => {
    const eventId = await createEvent(10);
    const res = await order(eventId, 3);
    assert.equal(res.status, 201);
    assert.equal(res.body.order.quantity, 3);
    const event = await request<{ event: { available: number } }>(`${logic.url}/events/${eventId}`);
    assert.equal(event.body.event.available, 7);
    const fetched = await request<OrderBody>(`${logic.url}/orders/${res.body.order.id}`);
    assert.deepEqual(fetched.body.order, res.body.order);
  });

  it('gives the recorded 201 and order again, with Idempotent-Replayed, when the same key is sent twice', async () => {
    const eventId = await createEvent(10);
    const key = newKey();
    const first = await order(eventId, 2, key);
    const second = await order(eventId, 2, key);
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(second.body, first.body);
    const byKey = await request<OrderBody>(`${logic.url}/orders?idempotencyKey=${key}`);
    assert.equal(byKey.body.order.id, first.body.order.id);
    assert.equal(await seatsLeft(eventId), 8, 'the replay took no seats');
  });

  it('refuses a reused key with a different body with 422, revealing nothing of the first order', async () => {
    const eventId = await createEvent(10);
    const key = newKey();
    const first = await order(eventId, 1, key);
    const res = await order(eventId, 2, key);
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(res.body.error.details, undefined);
    assert.doesNotMatch(JSON.stringify(res.body), new RegExp(first.body.order.id));
    assert.equal(await seatsLeft(eventId), 9);
  });

  it('keeps one final answer per key: a recorded 409 is given again, a different body gets 422', async () => {
    const eventId = await createEvent(3);
    const key = newKey();
    const soldOut = await order(eventId, 5, key);
    assert.equal(soldOut.status, 409);
    assert.deepEqual(soldOut.body.error.details, { available: 3 });
    const fewer = await order(eventId, 3, key);
    assert.equal(fewer.status, 422, 'the same key may not turn a 409 into an order');
    assert.equal(await seatsLeft(eventId), 3, 'the 422 took no seats');
    const again = await order(eventId, 5, key);
    assert.equal(again.status, 409);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, soldOut.body);
  });

  it('records a 404 for an event that is not on sale, and gives it again for the same key', async () => {
    const key = newKey();
    const missing = await order('no-such-event', 1, key);
    assert.equal(missing.status, 404);
    const again = await order('no-such-event', 1, key);
    assert.equal(again.status, 404);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, missing.body);
    const archived = await createEvent(5);
    await logic.pool.query('UPDATE events SET archived_at = now() WHERE id = $1', [archived]);
    const offSale = await order(archived, 1);
    assert.equal(offSale.status, 404);
    assert.equal(await seatsLeft(archived), 5);
  });

  it('records nothing for a request that failed, so its retry does the work', async () => {
    const eventId = await createEvent(4);
    const key = newKey();
    logic.faults.update({ rate: 1, latencyMs: 0, mode: 'before' });
    try {
      assert.equal((await order(eventId, 1, key)).status, 500);
    } finally {
      logic.faults.update({ rate: 0, latencyMs: 0, mode: 'before' });
    }
    const retry = await order(eventId, 1, key);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), null);
  });

  it('answers the retries of an order placed before keys had their own table', async () => {
    const eventId = await createEvent(5);
    const key = newKey();
    const id = '0b6c8f0e-2d7a-4c55-9a51-6c1f5f2c9e01';
    await logic.pool.query(
      `INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, served_by)
       VALUES ($1, $2, $3, $4, 1, 'old-replica')`,
      [id, key, hashOrderRequest({ eventId, quantity: 1 }), eventId],
    );
    await logic.pool.query('UPDATE events SET available = available - 1 WHERE id = $1', [eventId]);
    // The schema as it was then: no key table. Migrating makes it and copies every order's key.
    await logic.pool.query('DROP TABLE idempotency_keys');
    await migrate(logic.pool);
    const retry = await order(eventId, 1, key);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.body.order.id, id);
    assert.equal(await seatsLeft(eventId), 4);
  });

  it('answers 409 SOLD_OUT when not enough seats are left, and sells nothing', async () => {
    const eventId = await createEvent(2);
    const res = await order(eventId, 3);
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'SOLD_OUT');
    const { rows } = await logic.pool.query(
      'SELECT count(*)::int AS n FROM orders WHERE event_id = $1',
      [eventId],
    );
    assert.equal(rows[0].n, 0);
  });

  it('sells exactly M seats when N > M buyers race for them', { skip: cannotRace }, async () => {
    const seats = 17;
    const buyers = 60;
    const eventId = await createEvent(seats);
    const results = await Promise.all(Array.from({ length: buyers }, () => order(eventId, 1)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, seats);
    assert.equal(statuses.filter((s) => s === 409).length, buyers - seats);
    const { rows } = await logic.pool.query(
      'SELECT e.available, coalesce(sum(o.quantity), 0)::int AS sold FROM events e LEFT JOIN orders o ON o.event_id = e.id WHERE e.id = $1 GROUP BY e.id',
      [eventId],
    );
    assert.deepEqual(rows[0], { available: 0, sold: seats });
  });

  it('makes one order when concurrent requests share one key', { skip: cannotRace }, async () => {
    const eventId = await createEvent(50);
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 12 }, () => order(eventId, 2, key)));
    const ids = new Set(results.map((r) => r.body.order.id));
    assert.equal(ids.size, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      Array(12).fill(201),
    );
    const replayed = results.filter((r) => r.headers.get('idempotent-replayed') === 'true');
    assert.equal(replayed.length, 11);
    const { rows } = await logic.pool.query(
      'SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1',
      [key],
    );
    assert.equal(rows[0].n, 1);
    const event = await request<{ event: { available: number } }>(`${logic.url}/events/${eventId}`);
    assert.equal(event.body.event.available, 48);
  });

  it('makes one order when concurrent requests share one key with different bodies', {
    skip: cannotRace,
  }, async () => {
    const eventId = await createEvent(50);
    const key = newKey();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => order(eventId, i % 2 === 0 ? 1 : 2, key)),
    );
    const placed = results.filter(
      (r) => r.status === 201 && r.headers.get('idempotent-replayed') === null,
    );
    assert.equal(placed.length, 1);
    const winner = placed[0]?.body.order;
    for (const [i, r] of results.entries()) {
      const sameBody = (i % 2 === 0 ? 1 : 2) === winner?.quantity;
      assert.equal(r.status, sameBody ? 201 : 422, `request ${i}`);
      if (sameBody) assert.equal(r.body.order.id, winner?.id);
    }
    assert.equal(await seatsLeft(eventId), 50 - (winner?.quantity ?? 0));
  });

  it('tells the buyers who lost the race for the last seats how many are really left', {
    skip: cannotRace,
  }, async () => {
    const eventId = await createEvent(3);
    const results = await Promise.all(Array.from({ length: 10 }, () => order(eventId, 2)));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    for (const loser of results.filter((r) => r.status === 409)) {
      assert.deepEqual(loser.body.error.details, { available: 1 });
    }
  });

  it('answers 404 NOT_FOUND for an unknown event and an unknown order', async () => {
    const missingEvent = await order('no-such-event', 1);
    assert.equal(missingEvent.status, 404);
    assert.equal(missingEvent.body.error.code, 'NOT_FOUND');
    const missingOrder = await request<ErrorBody>(
      `${logic.url}/orders/8d9f6b4e-1111-4a3b-9a9a-0123456789ab`,
    );
    assert.equal(missingOrder.status, 404);
    const notAUuid = await request<ErrorBody>(`${logic.url}/orders/not-a-uuid`);
    assert.equal(notAUuid.status, 404);
  });
});

describe('hashOrderRequest', () => {
  it('hashes the same request the same way whatever the key order', () => {
    const a = parseOrderRequest(JSON.parse('{"eventId":"x","quantity":2,"email":"a@b.io"}'));
    const b = parseOrderRequest(JSON.parse('{"email":"a@b.io","quantity":2,"eventId":"x"}'));
    assert.equal(hashOrderRequest(a), hashOrderRequest(b));
    assert.notEqual(hashOrderRequest(a), hashOrderRequest({ ...a, quantity: 3 }));
  });
});
