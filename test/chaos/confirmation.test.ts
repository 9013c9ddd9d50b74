// One rule for "confirmed": the web UI (web/app.js) and the chaos checker (the load
// generator's record, then the invariants) both decide with web/confirmation.js. Checked here
// through the buyer's real HTTP path: a server on 127.0.0.1 answers what a broken shop might.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkInvariants } from '../../src/chaos/core/invariants.ts';
import { RequestLog } from '../../src/chaos/core/load/request-log.ts';
import { sendRecorded } from '../../src/chaos/core/load/shop-client.ts';
import { confirmsOrder } from '../../src/chaos/core/model.ts';
import { confirmedOrder } from '../../web/confirmation.js';
import { audit } from './support/records.ts';

/** Answers a purchase as told by the test: status and body. */
const ANSWERS: Record<string, { status: number; body: unknown }> = {
  created: { status: 201, body: { order: { id: 'o1', quantity: 1 } } },
  replayed: { status: 200, body: { order: { id: 'o1', quantity: 1 } } },
  pending: { status: 202, body: { status: 'pending' } },
  'no-id': { status: 201, body: { order: {} } },
  empty: { status: 204, body: undefined },
  'sold-out': { status: 409, body: { error: { code: 'SOLD_OUT', message: 'gone' } } },
};

describe('one rule for a confirmed purchase, for the web UI and the chaos checker', () => {
  let url = '';
  const server = createServer((req, res) => {
    const answer = ANSWERS[req.url?.slice(1) ?? ''] ?? { status: 500, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  before(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('the web UI decides with web/confirmation.js', async () => {
    const app = await readFile(new URL('../../web/app.js', import.meta.url), 'utf8');
    assert.match(app, /import \{ confirmedOrder \} from '\.\/confirmation\.js';/);
    assert.match(app, /status = response\.ok && !confirmedOrder\(response\.status, body\)/);
  });

  for (const [name, answer] of Object.entries(ANSWERS)) {
    it(`the checker agrees with the page on a ${answer.status} (${name})`, async () => {
      const log = new RequestLog();
      const operation = log.openOperation('purchase');
      const record = log.openRequest(operation, {
        buyer: 1,
        attempt: 1,
        key: `k-${name}`,
        eventId: 'gig',
        quantity: 1,
      });
      await sendRecorded(record, {
        url: `${url}/${name}`,
        method: 'POST',
        body: {},
        timeoutMs: 5000,
      });
      log.closeRequest(record);
      const page = confirmedOrder(answer.status, answer.body);
      assert.equal(confirmsOrder(record), page !== undefined);
      assert.equal(record.orderId, page?.id ?? null);
      const is2xx = answer.status >= 200 && answer.status < 300;
      const { successWithoutOrder } = checkInvariants(audit(10, []), [record]);
      assert.equal(successWithoutOrder, is2xx && page === undefined ? 1 : 0);
    });
  }
});
