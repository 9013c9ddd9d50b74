import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManagedChild } from '../../src/local/child-process.ts';
import { superviseDatabase } from '../../src/local/database-supervisor.ts';
import { waitFor } from '../support/wait.ts';

/** A supervised stand-in database (a real child process); `exit` is its first run's exit code. */
function supervised(dir: string, exit: string) {
  const lines: string[] = [];
  const child = new ManagedChild(
    { label: 'db', entry: 'test/local/fixtures/flaky-database.ts', env: { FLAKY_EXIT: exit } },
    (_label, line) => lines.push(line),
  );
  let launches = 0;
  const ready = (record: Record<string, unknown>) => record.msg === 'embedded database ready';
  const relaunch = async () => {
    launches += 1;
    child.start({ FLAKY_EXIT: '' }); // later runs stay up
    await child.waitForLog(ready, 30_000);
  };
  const fatalFile = join(dir, `fatal-${exit || 'none'}`);
  const supervisor = superviseDatabase({
    child,
    fatalFile,
    relaunch,
    onLine: (_label, line) => lines.push(line),
    backoffMs: 20,
  });
  return { child, lines, fatalFile, supervisor, ready, launches: () => launches };
}

describe('npm start keeps the embedded database running after a fatal error', () => {
  let dir: string;
  const children: ManagedChild[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flame-supervisor-'));
  });
  after(async () => {
    for (const child of children) await child.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restarts it when it exits non-zero, and says so', async () => {
    const db = supervised(dir, '1');
    children.push(db.child);
    db.child.start();
    await db.child.waitForLog(db.ready, 30_000);
    db.supervisor.watch();
    await waitFor('a restart', () => db.launches() === 1 && db.child.running);
    assert.match(db.lines.join('\n'), /db exited with code 1; restarting it in 0\.02 s/);
    assert.match(db.lines.join('\n'), /why: exit code 1, not asked for by the runner/);
    await waitFor('the restart to be announced', () =>
      db.lines.some((line) => /embedded database restarted/.test(line)),
    );
    db.supervisor.stop();
  });

  it('restarts it when its watchdog left a note and killed it', async () => {
    const db = supervised(dir, '');
    children.push(db.child);
    db.child.start();
    await db.child.waitForLog(db.ready, 30_000);
    db.supervisor.watch();
    writeFileSync(db.fatalFile, 'a batch ran 16000 ms, past the embedded database batch limit\n');
    process.kill(db.child.pid as number, 'SIGKILL'); // as the watchdog does, from inside
    await waitFor('a restart', () => db.launches() === 1 && db.child.running);
    assert.match(db.lines.join('\n'), /not asked for by the runner; a batch ran 16000 ms/);
    db.supervisor.stop();
  });

  it('restarts it when the system kills it (SIGKILL, no note: an out-of-memory kill), naming the signal and its last lines', async () => {
    const db = supervised(dir, '');
    children.push(db.child);
    db.child.start();
    await db.child.waitForLog(db.ready, 30_000);
    db.supervisor.watch();
    process.kill(db.child.pid as number, 'SIGKILL'); // not through the runner: nobody asked
    await waitFor('a restart', () => db.launches() === 1 && db.child.running);
    const said = db.lines.join('\n');
    assert.match(said, /db was killed; restarting it in 0\.02 s/);
    assert.match(said, /why: signal SIGKILL, not asked for by the runner/);
    assert.match(said, /its last lines:\n\s+embedded database ready/);
    db.supervisor.stop();
  });

  it('leaves alone an exit the runner asked for: a stop, or a chaos kill without a note', async () => {
    const db = supervised(dir, '');
    children.push(db.child);
    db.child.start();
    await db.child.waitForLog(db.ready, 30_000);
    db.supervisor.watch();
    await db.child.kill();
    db.child.start();
    await db.child.waitForLog(db.ready, 30_000);
    db.supervisor.watch();
    assert.equal(await db.child.stop(), 0);
    // The supervisor decides as the exit is reported, before anyone awaiting it resumes.
    assert.equal(db.launches(), 0);
    assert.doesNotMatch(db.lines.join('\n'), /restarting/);
    db.supervisor.stop();
  });
});
