import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildConsole } from '../../scripts/lib/console-build.ts';
import { WEB_DIR } from '../../src/frontend/app.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
import { type ErrorBody, newKey, type OrderBody, request } from '../support/http.ts';
import {
  LogCapture,
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();

/**
 * GET with the path exactly as given: fetch() would normalise `%2e%2e` itself (the URL
 * standard treats it as `..`), and a stranger's client need not.
 */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function errorOf(answer: { type: string; body: string }): ErrorBody['error'] {
  assert.match(answer.type, /^application\/json/);
  return (JSON.parse(answer.body) as ErrorBody).error;
}

describe(`what a stranger can get from the public API (${db.engine} database)`, () => {
  const logs = new LogCapture();
  let logic: RunningLogic;
  let frontend: RunningFrontend;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-a', logs });
    frontend = await startFrontend({ logicUrls: [logic.url], logs });
  });
  after(async () => {
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  it('looks an order up without its idempotency key, so a guessed email cannot be confirmed by a replay', async () => {
    const eventId = await createTestEvent(logic.pool, { capacity: 5, prefix: 'lookup' });
    const key = newKey();
    const body = { eventId, quantity: 1, email: 'charlotte@example.com' };
    const placed = await request<OrderBody>(`${frontend.url}/api/orders`, {
      method: 'POST',
      body,
      headers: { 'idempotency-key': key },
    });
    assert.equal(placed.status, 201);
    const { id, createdAt } = placed.body.order as OrderBody['order'] & { createdAt: string };

    const looked = await request<{ order: Record<string, unknown> }>(
      `${frontend.url}/api/orders/${id}`,
    );
    assert.equal(looked.status, 200);
    assert.deepEqual(looked.body.order, {
      id,
      eventId,
      quantity: 1,
      email: 'c***@example.com',
      createdAt,
    });
    assert.doesNotMatch(JSON.stringify(looked.body), new RegExp(key));
  });

  it('answers 431 HEADERS_TOO_LARGE in the JSON error format for a 20,000-character Idempotency-Key', async () => {
    const answer = await rawGet(frontend.url, '/api/events', {
      'idempotency-key': 'k'.repeat(20_000),
    });
    assert.equal(answer.status, 431);
    assert.equal(errorOf(answer).code, 'HEADERS_TOO_LARGE');
  });

  for (const path of ['/api/orders/%2e%2e', '/api/orders/..', '/api/orders/%2E%2E%2Fevents']) {
    it(`answers ${path} with 404 NOT_FOUND and never forwards it to logic`, async () => {
      const before = logs.records.length;
      const answer = await rawGet(frontend.url, path);
      assert.equal(answer.status, 404);
      assert.equal(errorOf(answer).code, 'NOT_FOUND');
      // Logic logs every request it completes (at debug or above, all captured here).
      const reachedLogic = logs.records
        .slice(before)
        .filter((record) => record.service === 'logic' && record.req !== undefined);
      assert.deepEqual(reachedLogic, [], 'logic saw a request');
    });
  }

  it('does not serve the console source map, in any spelling, but serves the console itself', async () => {
    if (!existsSync(join(WEB_DIR, 'console.js.map'))) await buildConsole();
    for (const path of ['/console.js.map', '/console.js%2Emap', '/CONSOLE.JS.MAP']) {
      const answer = await rawGet(frontend.url, path);
      assert.equal(answer.status, 404, path);
      assert.equal(errorOf(answer).code, 'NOT_FOUND');
      assert.doesNotMatch(answer.body, /sourcesContent/);
    }
    assert.equal((await rawGet(frontend.url, '/console.js')).status, 200);
  });
});
