import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { type EventsBody, request } from '../support/http.ts';
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
    const logicReads = logs.records.filter(
      (r) => r.msg === 'request completed' && (r.req as { url: string }).url === '/events',
    );
    assert.ok(
      logicReads.length >= 1 && logicReads.length <= 3,
      `${logicReads.length} calls to logic for 20 readers`,
    );
  });
});
