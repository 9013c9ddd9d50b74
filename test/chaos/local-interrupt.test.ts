// Ctrl-C in the middle of a local chaos run puts back what the run changed — the
// scenario's stock archived, every process it started stopped — says so, and exits 130.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/local/embedded-db.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const WAIT_MS = 90_000;

describe('npm run chaos -- --target local, interrupted', () => {
  it('archives the unfinished scenario stock, stops its processes and exits 130', {
    timeout: WAIT_MS + 30_000,
  }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-chaos-interrupt-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
    delete env.DATABASE_URL;
    const data = join(dir, 'data');
    const args = ['--target', 'local', '--quick', '--seed', '5', '--report', dir, '--data', data];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/chaos.ts', ...args, '--scenario', 'flaky-logic'],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.after(() => child.kill('SIGKILL'));
    let output = '';
    const closed = new Promise<number | null>((done) => child.once('close', done));
    // Interrupt once the fault is on: faults set, stock created, load running.
    const faultHeld = new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no fault within ${WAIT_MS} ms:\n${output}`)),
        WAIT_MS,
      );
      const watch = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('flaky-logic: fault held')) {
          clearTimeout(timer);
          done();
        }
      };
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
    });
    await faultHeld;
    const shopUrl = /Shop is up at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    assert.ok(shopUrl, output);
    child.kill('SIGINT');
    const code = await closed;

    assert.equal(code, 130, output);
    assert.match(output, /Interrupted \(SIGINT\): putting back what the run changed/);
    assert.match(
      output,
      /↺ archived the unfinished scenario's events chaos-5-[0-9a-f]+-flaky-logic-\*/,
    );
    assert.match(output, /↺ stopped the database, 2 logic replicas and the frontend it started/);
    await assert.rejects(
      fetch(`${shopUrl}/healthz`, { signal: AbortSignal.timeout(2000) }),
      'the frontend is gone',
    );
    // Fault settings live in logic's database: the kept data folder must not carry the fault
    // into the next run.
    assert.match(output, /↺ fault settings cleared in the database/);
    const db = await startEmbeddedDatabase({ dataDir: data });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT max(rate) AS rate FROM fault_settings');
      await client.end();
      assert.equal(rows[0]?.rate, 0, 'no fault left on in the database');
    } finally {
      await db.stop();
    }
  });
});
