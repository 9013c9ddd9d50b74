import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { type EventsBody, newKey, request } from '../support/http.ts';
import {
  LogCapture,
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();

describe(`GET /api/events under concurrent load (${db.engine} database)`, () => {
  const logs = new LogCapture();
  const logicReads = () =>
    logs.records.filter(
      (r) => r.msg === 'request completed' && (r.req as { url: string }).url === '/events',
    );
  let logic: RunningLogic;
  let frontend: RunningFrontend;
  before(async () => {
    // Each catalog read takes 300 ms in logic, so concurrent browsers surely overlap.
    logic = await startLogic({
      databaseUrl: db.url,
      faults: { rate: 1, latencyMs: 300, mode: 'delay' },
      logs,
    });
    frontend = await startFrontend({ logicUrls: [logic.url] });
  });
  after(async () => {
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  it('shares one call to logic between concurrent readers, and each gets the fresh list', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request<EventsBody>(`${frontend.url}/api/events`)),
    );
    assert.ok(
      answers.every((a) => a.status === 200 && a.body.stale === false && a.body.events.length > 0),
    );
    const reads = logicReads().length;
    assert.ok(reads >= 1 && reads <= 3, `${reads} calls to logic for 20 readers`);
  });

  it('serves a list younger than CATALOG_MAX_AGE_MS without asking logic again', async () => {
    await request(`${frontend.url}/api/events`);
    const before = logicReads().length;
    await request(`${frontend.url}/api/events`);
    assert.equal(logicReads().length, before);
  });

  it('shows the buyer their seats gone right after an order through this frontend', async () => {
    const first = await request<EventsBody>(`${frontend.url}/api/events`);
    const seatsBefore = first.body.events.find((e) => e.id === 'chamber-quartet')?.available ?? 0;
    const order = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'chamber-quartet', quantity: 3 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(order.status, 201);
    const after = await request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal(
      after.body.events.find((e) => e.id === 'chamber-quartet')?.available,
      seatsBefore - 3,
    );
  });
});
