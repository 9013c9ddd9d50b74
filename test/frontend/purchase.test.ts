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

  function buy(body: unknown, key: string | undefined = newKey()) {
    return request<OrderBody & ErrorBody>(`${frontend.url}/api/orders`, {
      method: 'POST',
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  }

  it('lists events and names the logic replica that served them', async () => {
    const res = await request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal(res.status, 200);
    assert.equal(res.body.stale, false);
    assert.ok(res.body.events.find((e) => e.id === 'jazz-night'));
    assert.match(res.headers.get('x-served-by') ?? '', /^logic-[ab]$/);
  });

  it('buys tickets, replays the same order for the same key, and refuses the key for another body', async () => {
    const key = newKey();
    const first = await buy({ eventId: 'rust-conf', quantity: 2, email: 'ada@example.com' }, key);
    assert.equal(first.status, 201);
    assert.equal(first.body.order.quantity, 2);
    assert.match(first.headers.get('x-served-by') ?? '', /^logic-[ab]$/);

    const again = await buy({ eventId: 'rust-conf', quantity: 2, email: 'ada@example.com' }, key);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.order.id, first.body.order.id);

    const reused = await buy({ eventId: 'rust-conf', quantity: 3 }, key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error.code, 'IDEMPOTENCY_KEY_REUSED');

    const fetched = await request<OrderBody>(`${frontend.url}/api/orders/${first.body.order.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body.order, first.body.order);
  });

  it('makes an Idempotency-Key when the caller sends none', async () => {
    const res = await buy({ eventId: 'rust-conf', quantity: 1 }, undefined);
    assert.equal(res.status, 201);
    assert.ok(res.body.order.idempotencyKey.length >= 8);
  });

  it('answers 409 SOLD_OUT with the seats left, relayed from logic', async () => {
    const res = await buy({ eventId: 'comedy-club', quantity: 10 });
    assert.equal(res.status, 201);
    await buy({ eventId: 'comedy-club', quantity: 10 });
    const tooMany = await buy({ eventId: 'comedy-club', quantity: 10 });
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
