import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../src/local/embedded-db.ts';
import { waitFor } from '../support/wait.ts';
import { errorFields, message, RawClient, sync, terminate } from './support/raw-protocol.ts';

// One ordinary client could take the whole shop down through the embedded
// database's one shared session. Each case misbehaves as a real client did, then checks
// that the others are still served.

const IDLE_LIMIT_MS = 1_000;

describe('the embedded database, faced with clients that misbehave', () => {
  let db: EmbeddedDatabase;
  let pool: pg.Pool;
  const count = async (id: number) =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE id = $1', [id]))
      .rows[0]?.n;
  before(async () => {
    db = await startEmbeddedDatabase({ limits: { idleInTransactionMs: IDLE_LIMIT_MS } });
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY)');
  });
  after(async () => {
    await pool.end();
    await db.stop();
  });

  it('answers a message type it does not serve with an ErrorResponse and closes only that connection', async () => {
    // A PasswordMessage ('p') after start-up put PGlite into a loop of fatal errors at full CPU.
    const raw = await RawClient.connect(db.port);
    raw.send(message('p', Buffer.from('secret\0')), sync());
    const error = errorFields((await raw.waitFor('E')).body);
    assert.equal(error.C, '08P01');
    assert.match(error.M ?? '', /unsupported frontend message type 'p'/);
    await raw.closed;
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0]?.one, 1);
  });

  it('refuses COPY FROM STDIN with a clear error, stays in step, and still serves COPY TO STDOUT', async () => {
    const raw = await RawClient.connect(db.port);
    const refused = await raw.simpleQuery('COPY items FROM STDIN');
    const error = refused.find((m) => m.type === 'E');
    assert.ok(error, 'an ErrorResponse');
    assert.equal(errorFields(error.body).C, '0A000');
    assert.match(errorFields(error.body).M ?? '', /COPY FROM STDIN is not supported/);
    assert.ok(!refused.some((m) => m.type === 'G'), 'no CopyInResponse');
    await pool.query('INSERT INTO items VALUES (41)');
    const out = await raw.simpleQuery('COPY (SELECT id FROM items WHERE id = 41) TO STDOUT');
    assert.deepEqual(
      out.filter((m) => m.type === 'd').map((m) => m.body.toString()),
      ['41\n'],
    );
    raw.destroy();
    assert.equal(await count(41), 1);
  });

  it('rolls back at once when a client sends Terminate and keeps its socket open', async () => {
    const raw = await RawClient.connect(db.port, undefined, { holdOpen: true });
    await raw.simpleQuery('BEGIN');
    await raw.simpleQuery('INSERT INTO items VALUES (51)');
    const sentAt = Date.now();
    raw.send(terminate());
    assert.equal(await count(51), 0);
    assert.ok(Date.now() - sentAt < IDLE_LIMIT_MS, 'released before the idle limit could');
    await raw.closed;
    raw.destroy();
  });

  it('rolls back and disconnects a client idle in a transaction past the limit, saying why', async () => {
    const raw = await RawClient.connect(db.port);
    await raw.simpleQuery('BEGIN');
    await raw.simpleQuery('INSERT INTO items VALUES (61)');
    const error = errorFields((await raw.waitFor('E', IDLE_LIMIT_MS * 10)).body);
    assert.equal(error.S, 'FATAL');
    assert.equal(error.C, '25P03');
    assert.match(error.M ?? '', /idle-in-transaction timeout \(1000 ms\)/);
    await raw.closed;
    assert.equal(await count(61), 0);
  });

  it('hands the next client a clean session: no SET, prepared statement or LISTEN leaks', async () => {
    const first = new pg.Client({ connectionString: db.url });
    await first.connect();
    const notified: string[] = [];
    first.on('notification', (n) => notified.push(n.channel));
    await first.query('SET default_transaction_read_only = on');
    await first.query('SET search_path = nowhere');
    await first.query('LISTEN orders_changed');
    await first.query('PREPARE leaked AS SELECT 1');
    const next = await RawClient.connect(db.port);
    const insert = await next.simpleQuery('INSERT INTO items VALUES (71)');
    assert.ok(!insert.some((m) => m.type === 'E'), 'the INSERT is not read-only');
    const shown = await next.simpleQuery(
      "SELECT current_setting('search_path') || '|' || (SELECT count(*) FROM pg_prepared_statements)",
    );
    assert.equal(
      shown
        .find((m) => m.type === 'D')
        ?.body.subarray(6)
        .toString(),
      'public|0',
    );
    const notify = await next.simpleQuery('NOTIFY orders_changed');
    assert.ok(!notify.some((m) => m.type === 'A'), 'the notifier got no notification');
    next.destroy();
    await first.query('SELECT 1');
    await first.end();
    assert.deepEqual(notified, [], 'the listener heard nothing after others took a turn');
  });

  it('refuses a non-UTF8 client_encoding however it is set, and keeps answering in UTF8', async () => {
    const raw = await RawClient.connect(db.port);
    const refused = await raw.simpleQuery("SET client_encoding = 'LATIN1'");
    const error = refused.find((m) => m.type === 'E');
    assert.match(errorFields(error?.body ?? Buffer.alloc(0)).M ?? '', /client_encoding LATIN1/);
    // A route the SQL guard cannot read: the reply is checked, the setting undone, the client cut off.
    raw.send(
      message('Q', Buffer.from("SELECT set_config('client_' || 'encoding', 'LATIN1', false)\0")),
    );
    await raw.closed;
    const { rows } = await pool.query<{ e: string; enc: string }>(
      "SELECT 'é' AS e, current_setting('client_encoding') AS enc",
    );
    assert.deepEqual(rows, [{ e: 'é', enc: 'UTF8' }]);
  });

  it('accepts the start-up parameters GUI clients send, and they reach nobody else', async () => {
    const gui = await RawClient.connect(db.port, {
      user: 'postgres',
      database: 'postgres',
      application_name: 'DBeaver 24.1',
      client_encoding: 'UTF8',
      DateStyle: 'ISO',
      TimeZone: 'Europe/Paris',
      extra_float_digits: '3',
      options: '-c search_path=gui',
    });
    const answer = await gui.simpleQuery('SELECT 1');
    assert.ok(!answer.some((m) => m.type === 'E'));
    gui.destroy();
    const { rows } = await pool.query<{ tz: string; path: string }>(
      "SELECT current_setting('TimeZone') AS tz, current_setting('search_path') AS path",
    );
    assert.deepEqual(rows, [{ tz: 'UTC', path: 'public' }]);
  });

  it('keeps serving after all of the above, in whatever order they ran', async () => {
    // Its own row: a row an earlier test wrote would tie this test to running after that one.
    await waitFor('the pool to answer', async () => {
      await pool.query('INSERT INTO items VALUES (81) ON CONFLICT DO NOTHING');
      return (await count(81)) === 1;
    });
  });
});
