import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipOrFail } from '../support/database.ts';
import { assertLedger, purchase, type Shop, startShop, stopShop } from '../support/shop-process.ts';
import { waitFor } from '../support/wait.ts';
import { hasPsql, psql, psqlSession } from './support/psql.ts';
import { errorFields, message, RawClient, sync, terminate } from './support/raw-protocol.ts';

// What a user met: `npm start` prints the embedded database's URL, people point
// psql or their own scripts at it, and one ordinary client took the whole shop down. Each
// case below is such a client; after each one a purchase through the frontend must be
// confirmed within 2 s and the ledger must add up, with every confirmed order in it.

// Longer than the 2 s a purchase gets, so a transaction that is not let go at once shows.
const IDLE_LIMIT_MS = 4_000;
const BATCH_LIMIT_MS = 3_000;

describe('the running shop, while ordinary clients misuse its embedded database', () => {
  let dataDir: string;
  let shop: Shop;
  const confirmed: string[] = [];
  const purchaseAndCheck = async () => {
    confirmed.push((await purchase(shop)).id);
    await assertLedger(shop, confirmed);
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-wire-'));
    shop = await startShop(dataDir, {
      EMBEDDED_DB_IDLE_IN_TRANSACTION_MS: String(IDLE_LIMIT_MS),
      EMBEDDED_DB_BATCH_MS: String(BATCH_LIMIT_MS),
    });
    await purchaseAndCheck();
  });
  after(async () => {
    if (shop) await stopShop(shop);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('psql: COPY FROM STDIN is refused with a clear error, COPY TO STDOUT works', async (t) => {
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const copyIn = await psql(shop.dbPort, ['-c', 'COPY events FROM STDIN'], '10\t1\n');
    assert.notEqual(copyIn.code, 0);
    assert.match(copyIn.output, /COPY FROM STDIN is not supported by the embedded database/);
    const copyOut = await psql(shop.dbPort, [
      '-c',
      "COPY (SELECT id FROM events WHERE id = 'jazz-night') TO STDOUT",
    ]);
    assert.equal(copyOut.code, 0);
    assert.equal(copyOut.output, 'jazz-night\n');
    await purchaseAndCheck();
  });

  it('raw bytes: an unknown message type gets an ErrorResponse and that connection is closed', async () => {
    const raw = await RawClient.connect(shop.dbPort);
    raw.send(message('p', Buffer.from('hunter2\0')), sync());
    assert.equal(errorFields((await raw.waitFor('E')).body).C, '08P01');
    await raw.closed;
    await purchaseAndCheck();
  });

  it('psql: BEGIN, then idle past the limit, is rolled back and disconnected with the reason', async (t) => {
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const session = psqlSession(shop.dbPort);
    session.type(
      "BEGIN;\nSELECT available FROM events WHERE id = 'open-air-festival' FOR UPDATE;\n",
    );
    await waitFor('the row lock', () => /\(1 row\)/.test(session.output()));
    // Blocked behind psql's transaction until the limit ends it, then confirmed.
    confirmed.push((await purchase(shop, IDLE_LIMIT_MS + 2_000)).id);
    // psql reads the server's goodbye when it next sends something.
    session.type('SELECT 1;\n');
    await waitFor('psql to show why', () => /idle-in-transaction timeout/.test(session.output()));
    session.child.stdin?.end();
    await session.exited;
    await purchaseAndCheck();
  });

  it('raw bytes: Terminate with the socket held open lets go of the transaction at once', async () => {
    const raw = await RawClient.connect(shop.dbPort, undefined, { holdOpen: true });
    await raw.simpleQuery('BEGIN');
    // Holds the very row every purchase of this event updates.
    await raw.simpleQuery("UPDATE events SET available = available WHERE id = 'open-air-festival'");
    raw.send(terminate());
    await purchaseAndCheck();
    raw.destroy();
  });

  it('psql: SET read-only and search_path do not reach the services, a LATIN1 encoding is refused', async (t) => {
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const session = psqlSession(shop.dbPort);
    session.type('SET default_transaction_read_only = on;\nSET search_path = nowhere;\n');
    await waitFor('both SETs', () => (session.output().match(/^SET$/gm) ?? []).length === 2);
    // The psql session stays connected with its settings while the services buy tickets.
    await purchaseAndCheck();
    session.type("SET client_encoding = 'LATIN1';\n");
    await waitFor('the refusal', () =>
      /client_encoding LATIN1 is not supported/.test(session.output()),
    );
    session.child.stdin?.end();
    await session.exited;
    await purchaseAndCheck();
  });

  it('psql: LISTEN/NOTIFY never delivers to another client', async (t) => {
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const listener = psqlSession(shop.dbPort);
    listener.type('LISTEN flame_orders;\n');
    await waitFor('LISTEN', () => /^LISTEN$/m.test(listener.output()));
    await purchaseAndCheck();
    const notifier = await RawClient.connect(shop.dbPort);
    const notify = await notifier.simpleQuery("NOTIFY flame_orders, 'hello'");
    assert.ok(!notify.some((m) => m.type === 'A'), 'the notifier got no notification');
    notifier.destroy();
    listener.type('SELECT 1 AS after_notify;\n');
    await waitFor('the listener to run its query', () => /after_notify/.test(listener.output()));
    listener.child.stdin?.end();
    await listener.exited;
    assert.doesNotMatch(listener.output(), /Asynchronous notification/);
    await purchaseAndCheck();
  });

  it('raw bytes: the start-up parameters a GUI client sends are harmless to everyone else', async (t) => {
    const gui = await RawClient.connect(shop.dbPort, {
      user: 'postgres',
      database: 'postgres',
      application_name: 'pgAdmin 4 - DB:postgres',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      TimeZone: 'America/New_York',
      extra_float_digits: '3',
      options: '-c default_transaction_read_only=on',
    });
    await gui.simpleQuery('SELECT 1');
    await purchaseAndCheck();
    gui.destroy();
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const shown = await psql(shop.dbPort, ['-At', '-c', 'SHOW TimeZone']);
    assert.equal(shown.output.trim(), 'UTC');
  });

  it('psql: a statement past the batch limit ends the database, which the runner restarts with every order kept', async (t) => {
    if (!hasPsql()) return skipOrFail(t, 'psql is not installed');
    const session = psqlSession(shop.dbPort);
    session.type('SELECT pg_sleep(60);\n');
    // Ctrl-C: psql sends a CancelRequest, which PGlite cannot act on mid-statement.
    await waitFor('the database to be busy', async () => !(await answersWithin(shop.dbPort, 300)));
    session.child.kill('SIGINT');
    await waitFor('the runner to restart the database', () =>
      /embedded database restarted/.test(shop.output()),
    );
    assert.match(shop.output(), /past the embedded database batch limit \(3000 ms\)/);
    session.child.stdin?.end();
    await session.exited;
    await waitFor('the shop to be ready again', async () => {
      const ready = await fetch(`${shop.frontendUrl}/readyz`).catch(() => undefined);
      return ready?.status === 200;
    });
    await purchaseAndCheck();
  });
});

/**
 * Whether the database answers a start-up at all within the time (it does not while busy).
 * A timed probe on purpose: a busy session shows only as a start-up left unanswered; nothing
 * says "busy". The wait above polls it until it holds, so the time only bounds one probe.
 */
async function answersWithin(port: number, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const answer = RawClient.connect(port).then(
    (client) => {
      client.destroy();
      return true;
    },
    () => false,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
