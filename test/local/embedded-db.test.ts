import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../src/local/embedded-db.ts';
import { abandonFailedParse, sendNegativeLength } from '../support/raw-protocol.ts';

describe('the embedded database served to many pg clients at once', () => {
  let db: EmbeddedDatabase;
  let pool: pg.Pool;
  before(async () => {
    db = await startEmbeddedDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY)');
  });
  after(async () => {
    await pool.end();
    await db.stop();
  });

  // Regression: pglite-socket 0.2.17 interleaved clients message by message, so one client's
  // Parse replaced another's unnamed statement and results crossed between connections (a
  // chaos run saw a confirmed order answered to the wrong buyer).
  it('answers each client its own parameterised query, however many run at once', async () => {
    const values = Array.from({ length: 400 }, (_, i) => `value-${i}-${'x'.repeat(i % 50)}`);
    const answers = await Promise.all(
      values.map((value) =>
        pool.query<{ v: string; n: number }>('SELECT $1::text AS v, length($1::text) AS n', [
          value,
        ]),
      ),
    );
    answers.forEach((answer, i) => {
      assert.equal(answer.rows[0]?.v, values[i]);
    });
  });

  it('is not confused by a client that vanishes in the middle of a failed batch', async () => {
    // pglite-socket ran the failed Parse at once; the shared session then skipped the next
    // client's messages up to its Sync, and that client got an empty result: here it got [].
    await abandonFailedParse(db.port);
    const { rows } = await pool.query<{ n: number }>('SELECT $1::int AS n', [5]);
    assert.deepEqual(rows, [{ n: 5 }]);
  });

  it('hangs up on a client whose message length makes no sense, and serves the others', async () => {
    await sendNegativeLength(db.port);
    const { rows } = await pool.query<{ n: number }>('SELECT $1::int AS n', [7]);
    assert.deepEqual(rows, [{ n: 7 }]);
  });

  it('keeps a transaction to the client that opened it until it ends', async () => {
    const a = await pool.connect();
    try {
      await a.query('BEGIN');
      await a.query('INSERT INTO items VALUES (1)');
      const other = pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
      await sleep(150);
      await a.query('INSERT INTO items VALUES (2)');
      await a.query('COMMIT');
      assert.equal((await other).rows[0]?.n, 2, 'the other client waited for the commit');
    } finally {
      a.release();
    }
  });

  it('rolls back the transaction of a client that disconnects in the middle of it', async () => {
    const lost = new pg.Client({ connectionString: db.url });
    await lost.connect();
    await lost.query('BEGIN');
    await lost.query('INSERT INTO items VALUES (99)');
    await lost.end();
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM items WHERE id = 99',
    );
    assert.equal(rows[0]?.n, 0);
  });
});
