import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../src/local/embedded-db.ts';
import { loadTemplateFolder } from '../../src/local/pglite-template.ts';
import { waitFor } from '../support/wait.ts';
import { abandonFailedParse, sendNegativeLength } from './support/raw-protocol.ts';

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
      // The other query has reached the server and waits for the session: commit only then.
      await waitFor('the other client to wait for the session', () => db.waitingClients() === 1);
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

describe('the embedded database on disk and at start', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flame-embedded-'));
    // Built once per PGlite version (the tar, and the folder unpacked from it); the timings
    // below are of the starts after that.
    await loadTemplateFolder();
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts a fresh in-memory database from the cached template (no initdb) in a new process, and prints the time', async () => {
    // A new process, as each test file is: nothing compiled or loaded yet but the template file.
    const script = `
      import { startEmbeddedDatabase } from './src/local/embedded-db.ts';
      import pg from 'pg';
      const startedAt = Date.now();
      const db = await startEmbeddedDatabase();
      const ms = Date.now() - startedAt;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query("SELECT current_setting('fsync') AS fsync");
      await client.end();
      await db.stop();
      process.stdout.write(
        JSON.stringify({ ms, fsync: rows[0].fsync, durable: db.durable, from: db.startedFrom }),
      );`;
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    const { ms, fsync, durable, from } = JSON.parse(stdout) as {
      ms: number;
      fsync: string;
      durable: boolean;
      from: string;
    };
    process.stdout.write(`# fresh embedded database (memory, new process) ready in ${ms} ms\n`);
    assert.equal(fsync, 'off', 'in memory nothing survives the process: no fsync');
    assert.equal(durable, false);
    // The time is printed, not asserted (a busy machine must not fail the suite): what is
    // asserted is that no initdb ran, the cost the template takes away.
    assert.equal(from, 'template');
  });

  it('starts a fresh file-backed database from the template (no initdb), prints the time, and flushes every commit to disk', async () => {
    const startedAt = Date.now();
    const db = await startEmbeddedDatabase({ dataDir: join(dir, 'pglite') });
    const ms = Date.now() - startedAt;
    process.stdout.write(`# fresh embedded database (files) ready in ${ms} ms\n`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ fsync: string; method: string }>(
        "SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS method",
      );
      assert.deepEqual(rows, [{ fsync: 'on', method: 'fsync' }]);
      await client.query('CREATE TABLE t (id int)');
      const before = db.syncCount();
      for (let i = 0; i < 5; i++) await client.query('INSERT INTO t VALUES ($1)', [i]);
      assert.ok(db.syncCount() - before >= 5, `${db.syncCount() - before} fsyncs for 5 commits`);
    } finally {
      await client.end();
      await db.stop();
    }
    assert.equal(db.startedFrom, 'template', 'a fresh folder is a copy of the template');
    const reopened = await startEmbeddedDatabase({ dataDir: join(dir, 'pglite') });
    try {
      const { rows } = await queryOnce(reopened.url, 'SELECT count(*)::int AS n FROM t');
      assert.equal(rows[0]?.n, 5, 'the data folder is reopened, not replaced by the template');
      assert.equal(reopened.startedFrom, 'existing');
    } finally {
      await reopened.stop();
    }
  });

  it('makes its template cache on a fresh clone, where the cache folder does not exist yet', async () => {
    const cache = join(dir, 'fresh-clone', 'node_modules', '.cache', 'flametickets');
    const folder = await loadTemplateFolder(cache);
    assert.ok((await readdir(folder)).includes('PG_VERSION'));
  });

  it('refuses a data folder that is not empty and holds no database', async () => {
    const stray = join(dir, 'not-a-database');
    await mkdir(stray);
    await writeFile(join(stray, 'notes.txt'), 'mine');
    await assert.rejects(
      startEmbeddedDatabase({ dataDir: stray }),
      /exists and is not a PGlite data folder/,
    );
  });
});

const run = promisify(execFile);

async function queryOnce(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
