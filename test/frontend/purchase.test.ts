import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
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

const db = await createTestDatabase();

describe(`purchase through the frontend on the ${db.engine} database`, () => {
  const logs = new LogCapture();
  let logic: RunningLogic[];
  let frontend: RunningFrontend;

  before(async () => {
    logic = [
      await startLogic({ databaseUrl: db.url, replica: 'logic-a', logs }),
      await startLogic({ databaseUrl: db.url, replica: 'logic-b', logs }),
    ];
    frontend = await startFrontend({ logicUrls: logic.map((l) => l.url), logs });
  });
  after(async () => {
    await frontend.close();
    await Promise.all(logic.map((l) => l.close()));
    await db.drop();
  });

  /** `null` sends no key at all. */
  function buy(body: unknown, key: string | null = newKey()) {
    return request<OrderBody & ErrorBody>(`${frontend.url}/api/orders`, {
      method: 'POST',
      body,
      headers: key === null ? {} : { 'idempotency-key': key },
    });
  }

  it('lists events and names the logic replica that served them', async () => {
    const res = await request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal(res.status, 200);
    assert.equal(res.body.stale, false);
    assert.ok(res.body.events.find((e) => e.id === 'jazz-night'));
    assert.match(res.headers.get('x-served-by') ?? '', /^logic-[ab]$/);
  });

  function database() {
    const first = logic[0];
    assert.ok(first, 'logic is running');
    return first.pool;
  }

  const createEvent = (capacity: number) =>
    createTestEvent(database(), { capacity, prefix: 'buy' });

  it('buys tickets, replays the same answer for the same key, and refuses the key for another body', async () => {
    const key = newKey();
    const eventId = await createEvent(10);
    const first = await buy({ eventId, quantity: 2, email: 'ada@example.com' }, key);
    assert.equal(first.status, 201);
    assert.equal(first.body.order.quantity, 2);
    assert.match(first.headers.get('x-served-by') ?? '', /^logic-[ab]$/);

    const again = await buy({ eventId, quantity: 2, email: 'ada@example.com' }, key);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);

    const reused = await buy({ eventId, quantity: 3 }, key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.doesNotMatch(JSON.stringify(reused.body), new RegExp(first.body.order.id));
  });

  it('shows an order by id with the email masked, and without its key or replica', async () => {
    const eventId = await createEvent(10);
    const placed = await buy({ eventId, quantity: 1, email: 'grace.hopper@example.com' });
    assert.equal(placed.status, 201);
    const fetched = await request<OrderBody & { order: { email: string } }>(
      `${frontend.url}/api/orders/${placed.body.order.id}`,
    );
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.order.email, 'g***@example.com');
    assert.doesNotMatch(JSON.stringify(fetched.body), /grace\.hopper/);
    const { email: _masked, ...rest } = fetched.body.order;
    const {
      email: _clear,
      idempotencyKey: _key,
      servedBy: _replica,
      ...placedRest
    } = placed.body.order as typeof fetched.body.order;
    assert.deepEqual(rest, placedRest);
  });

  it('refuses an order without an Idempotency-Key with 400 saying how to send one, and sells nothing', async () => {
    const eventId = await createEvent(5);
    const res = await buy({ eventId, quantity: 1 }, null);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'INVALID_REQUEST');
    assert.match(res.body.error.message, /Idempotency-Key header/);
    assert.match(res.body.error.message, /same value again when you retry/);
    const { rows } = await database().query('SELECT available FROM events WHERE id = $1', [
      eventId,
    ]);
    assert.equal(rows[0].available, 5);
  });

  it('answers 409 SOLD_OUT with the seats left, relayed from logic', async () => {
    const eventId = await createEvent(25);
    assert.equal((await buy({ eventId, quantity: 10 })).status, 201);
    assert.equal((await buy({ eventId, quantity: 10 })).status, 201);
    const tooMany = await buy({ eventId, quantity: 10 });
    assert.equal(tooMany.status, 409);
    assert.equal(tooMany.body.error.code, 'SOLD_OUT');
    assert.deepEqual(tooMany.body.error.details, { available: 5 });
  });

  it('forwards x-request-id so one purchase can be followed across both services', async () => {
    const requestId = `trace-${Date.now()}`;
    const res = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'rust-conf', quantity: 1 },
      headers: { 'idempotency-key': newKey(), 'x-request-id': requestId },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-request-id'), requestId);
    const services = logs.records.filter((r) => r.reqId === requestId).map((r) => r.service);
    assert.ok(services.includes('frontend'), 'frontend logged the request');
    assert.ok(services.includes('logic'), 'logic logged the same request id');
  });
});
