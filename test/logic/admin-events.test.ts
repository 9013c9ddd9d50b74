// The admin routes behind a chaos run's stock: create events, archive them, audit
// them on their own. Real logic app, real database (embedded, or DATABASE_URL).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/logic/migrations.ts';
import { createTestDatabase } from '../support/database.ts';
import { type ErrorBody, type EventsBody, newKey, request } from '../support/http.ts';
import { ADMIN_TOKEN, type RunningLogic, startLogic } from '../support/servers.ts';

const db = await createTestDatabase();
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface AuditBody {
  events: { id: string; capacity: number; available: number; archived: boolean }[];
  orders: { id: string; eventId: string }[];
}

const stockEvent = (id: string, capacity = 5) => ({
  id,
  name: `Chaos stock ${id}`,
  venue: 'Chaos hall',
  startsAt: '2030-01-01T20:00:00Z',
  priceCents: 1000,
  capacity,
});

describe(`logic admin events on the ${db.engine} database`, () => {
  let logic: RunningLogic;
  const admin = <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
    request<T & ErrorBody>(`${logic.url}/admin${path}`, { ...init, headers: auth });
  const uniqueId = () => `stock-${randomUUID().slice(0, 8)}`;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url });
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });

  it('creates events with every seat available, listed in the catalog', async () => {
    const id = uniqueId();
    const res = await admin<EventsBody>('/events', {
      method: 'POST',
      body: { events: [stockEvent(id, 7)] },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(
      res.body.events.map((e) => [e.id, e.capacity, e.available]),
      [[id, 7, 7]],
    );
    const catalog = await request<EventsBody>(`${logic.url}/events`);
    assert.ok(catalog.body.events.some((e) => e.id === id));
  });

  it('answers bad input with 400 INVALID_REQUEST, never a 5xx', async () => {
    const taken = uniqueId();
    await admin('/events', { method: 'POST', body: { events: [stockEvent(taken)] } });
    const bad: unknown[] = [
      undefined,
      { events: [] },
      { events: [{ ...stockEvent(uniqueId()), capacity: 0 }] },
      { events: [{ ...stockEvent(uniqueId()), startsAt: 'tomorrow' }] },
      { events: [{ ...stockEvent('Not An Id') }] },
      { events: [stockEvent('twice-1'), stockEvent('twice-1')] },
      { events: [stockEvent(uniqueId()), stockEvent(taken)] },
      { events: [{ ...stockEvent(uniqueId()), extra: 1 }] },
    ];
    for (const body of bad) {
      const res = await admin('/events', { method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'INVALID_REQUEST');
    }
    for (const body of [{}, { ids: [] }, { ids: ['Bad Id'] }, { ids: 'x' }]) {
      const res = await admin('/events/archive', { method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    const audit = await admin('/audit?events=Bad%20Id');
    assert.equal(audit.status, 400);
  });

  it('refuses every admin route without the token', async () => {
    for (const [method, path] of [
      ['POST', '/events'],
      ['POST', '/events/archive'],
      ['GET', '/audit'],
    ] as const) {
      const res = await request<ErrorBody>(`${logic.url}/admin${path}`, {
        method,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      assert.equal(res.status, 401, path);
    }
  });

  it('archives events: gone from the catalog, orders kept in their own audit, seed untouched', async () => {
    const [keep, gone] = [uniqueId(), uniqueId()];
    await admin('/events', {
      method: 'POST',
      body: { events: [stockEvent(keep), stockEvent(gone)] },
    });
    const ordered = await request<{ order: { id: string } }>(`${logic.url}/orders`, {
      method: 'POST',
      body: { eventId: gone, quantity: 2 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(ordered.status, 201);
    const seedBefore = (await request<EventsBody>(`${logic.url}/events`)).body.events.filter(
      (e) => !e.id.startsWith('stock-'),
    );

    const archived = await admin<{ archived: string[] }>('/events/archive', {
      method: 'POST',
      body: { ids: [gone, 'never-created'] },
    });
    assert.equal(archived.status, 200);
    assert.deepEqual(archived.body.archived, [gone]);

    const catalog = (await request<EventsBody>(`${logic.url}/events`)).body.events;
    assert.ok(!catalog.some((e) => e.id === gone), 'an archived event is not listed');
    assert.ok(catalog.some((e) => e.id === keep));
    assert.deepEqual(
      catalog.filter((e) => !e.id.startsWith('stock-')),
      seedBefore,
      'the seed catalog is untouched',
    );
    assert.equal((await request(`${logic.url}/events/${gone}`)).status, 404);

    const audit = await admin<AuditBody>(`/audit?events=${gone},${keep}`);
    assert.deepEqual(
      audit.body.events.map((e) => [e.id, e.available, e.archived]).sort(),
      [
        [gone, 3, true],
        [keep, 5, false],
      ].sort(),
    );
    assert.deepEqual(
      audit.body.orders.map((o) => o.id),
      [ordered.body.order.id],
    );
    const again = await admin<{ archived: string[] }>('/events/archive', {
      method: 'POST',
      body: { ids: [gone] },
    });
    assert.deepEqual(again.body.archived, [], 'archiving twice changes nothing');
  });

  it('migrates a database made before events could be archived', async () => {
    await logic.pool.query('ALTER TABLE events DROP COLUMN archived_at');
    await migrate(logic.pool);
    const catalog = await request<EventsBody>(`${logic.url}/events`);
    assert.equal(catalog.status, 200);
    assert.ok(catalog.body.events.length > 0);
  });
});
