import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startLoadGenerator } from '../../src/chaos/core/load/load-generator.ts';
import { RequestLog } from '../../src/chaos/core/load/request-log.ts';
import { seededRandom } from '../../src/chaos/core/random.ts';
import { waitFor } from '../support/wait.ts';

/** A stand-in shop (not the real one): the catalog answers, every purchase gets a 503. */
function busyShop(): Server {
  return createServer((req, res) => {
    if (req.url === '/api/events') {
      const event = {
        id: 'e1',
        name: 'E',
        venue: 'V',
        startsAt: '2027-01-01T00:00:00Z',
        priceCents: 1,
        capacity: 100,
        available: 100,
      };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ events: [event], stale: false }));
      return;
    }
    req.resume();
    res
      .writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
      .end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'busy' } }));
  });
}

describe('the load generator against a shop that is always busy (stand-in server)', () => {
  let server: Server;
  before(async () => {
    server = busyShop().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Regression: the buyer slept a retry delay after its last attempt, so a failed purchase
  // ended a Retry-After later than its last answer and a steady state could be declared early.
  it('ends a failed purchase with its last answer, after the client retries', async () => {
    const log = new RequestLog();
    log.scenario = 'test';
    const load = startLoadGenerator({
      shopUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      buyers: 1,
      log,
      random: seededRandom(1),
      requestTimeoutMs: 2000,
      clientRetries: 2,
      retryAfterCapMs: 2000,
      thinkMs: [10, 20],
      catalogShare: 0.3,
      browsers: 0,
      keyPrefix: 'buyer-test',
    });
    const finished = () => log.operations.filter((o) => o.kind === 'purchase' && o.end >= 0);
    const retriedTwice = (operation: { id: number }) =>
      log.requests.filter((r) => r.operation === operation.id).length === 3;
    // Runs until a purchase has used all its retries (an event, not a guess at how long that
    // takes on this machine), then stops the buyer.
    await waitFor('a purchase that used all its retries', () => finished().some(retriedTwice));
    await load.stop();
    const purchases = finished();
    assert.ok(purchases.length > 0, 'at least one purchase finished');
    for (const operation of purchases) {
      const requests = log.requests.filter((r) => r.operation === operation.id);
      assert.equal(operation.ok, false);
      const lastAnswer = Math.max(...requests.map((r) => r.end));
      // The bug slept a whole Retry-After (1 s) here; 500 ms leaves room for a busy machine.
      assert.ok(
        operation.end - lastAnswer < 500,
        `ended ${operation.end - lastAnswer} ms after its last answer`,
      );
    }
    assert.ok(purchases.some(retriedTwice), 'client retries happened');
  });
});
