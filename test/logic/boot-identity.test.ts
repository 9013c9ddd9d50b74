// Each logic process says who it is: on GET /healthz, and as x-boot-id on every answer, which
// the frontend relays with the order. The chaos runner tells a restarted replica from the same
// one by it (docs/CHAOS.md), so a kill that never happened cannot pass for one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { newKey, request } from '../support/http.ts';
import {
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();
after(() => db.drop());

describe('a logic process reports its identity', () => {
  let logic: RunningLogic;
  let frontend: RunningFrontend;
  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-who' });
    frontend = await startFrontend({ logicUrls: [logic.url] });
  });
  after(async () => {
    await frontend?.close();
    await logic?.close();
  });

  it('on /healthz: its replica name, a boot id, its pid and start time', async () => {
    const { status, body, headers } = await request<Record<string, unknown>>(
      `${logic.url}/healthz`,
    );
    assert.equal(status, 200);
    assert.equal(body.replica, 'logic-who');
    assert.match(String(body.bootId), /^[0-9a-f]{8}$/);
    assert.equal(body.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(String(body.startedAt))));
    assert.equal(headers.get('x-boot-id'), body.bootId);
  });

  it('on a purchase through the frontend: x-served-by and x-boot-id of the process that placed it', async () => {
    const { body } = await request<{ bootId: string }>(`${logic.url}/healthz`);
    const bought = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'open-air-festival', quantity: 1 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(bought.status, 201);
    assert.equal(bought.headers.get('x-served-by'), 'logic-who');
    assert.equal(bought.headers.get('x-boot-id'), body.bootId);
  });
});
