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
import { type RunningLogic, startLogic } from '../support/servers.ts';

const db = await createTestDatabase();

describe(`logic orders on the ${db.engine} database`, () => {
  let logic: RunningLogic;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url });
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });

  /** Each test makes its own event, so tests never share seats. */
  async function createEvent(capacity: number): Promise<string> {
    const id = `ev-${Math.random().toString(36).slice(2, 10)}`;
    await logic.pool.query(
      `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
       VALUES ($1, 'Test event', 'Test venue', now(), 1000, $2, $2)`,
      [id, capacity],
    );
    return id;
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

  it('returns the same order with 200 and Idempotent-Replayed when the same key is sent twice', async () => {
    const eventId = await createEvent(10);
    const key = newKey();
    const first = await order(eventId, 2, key);
    const second = await order(eventId, 2, key);
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(second.body.order, first.body.order);
    const byKey = await request<OrderBody>(`${logic.url}/orders?idempotencyKey=${key}`);
    assert.equal(byKey.body.order.id, first.body.order.id);
    const event = await request<{ event: { available: number } }>(`${logic.url}/events/${eventId}`);
    assert.equal(event.body.event.available, 8, 'the replay took no seats');
  });

  it('rejects a reused key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const eventId = await createEvent(10);
    const key = newKey();
    await order(eventId, 1, key);
    const res = await order(eventId, 2, key);
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
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

  it('sells exactly M seats when N > M buyers race for them', async () => {
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

  it('makes one order when concurrent requests share one key', async () => {
    const eventId = await createEvent(50);
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 12 }, () => order(eventId, 2, key)));
    const ids = new Set(results.map((r) => r.body.order.id));
    assert.equal(ids.size, 1);
    assert.deepEqual(results.map((r) => r.status).sort(), [...Array(11).fill(200), 201]);
    const { rows } = await logic.pool.query(
      'SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1',
      [key],
    );
    assert.equal(rows[0].n, 1);
    const event = await request<{ event: { available: number } }>(`${logic.url}/events/${eventId}`);
    assert.equal(event.body.event.available, 48);
  });

  it('makes one order when concurrent requests share one key with different bodies', async () => {
    const eventId = await createEvent(50);
    const key = newKey();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => order(eventId, i % 2 === 0 ? 1 : 2, key)),
    );
    const created = results.filter((r) => r.status === 201);
    assert.equal(created.length, 1);
    const winner = created[0]?.body.order;
    for (const [i, r] of results.entries()) {
      const sameBody = (i % 2 === 0 ? 1 : 2) === winner?.quantity;
      if (r.status === 201) continue;
      assert.equal(r.status, sameBody ? 200 : 422, `request ${i}`);
      if (sameBody) assert.equal(r.body.order.id, winner?.id);
    }
    const event = await request<{ event: { available: number } }>(`${logic.url}/events/${eventId}`);
    assert.equal(event.body.event.available, 50 - (winner?.quantity ?? 0));
  });

  it('tells the buyers who lost the race for the last seats how many are really left', async () => {
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
