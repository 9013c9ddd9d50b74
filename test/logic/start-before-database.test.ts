// Logic replicas may start before PostgreSQL does: the start-up migration retries through the
// shared wait (src/shared/wait.ts), logging each attempt, until a shutdown ends the wait.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ManagedChild } from '../../src/local/child-process.ts';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('logic started before its database (real child process)', () => {
  it('logs each failed migration attempt with its delay, and exits 0 on SIGTERM while waiting', async () => {
    const port = await closedPort();
    const child = new ManagedChild(
      {
        label: 'logic',
        entry: 'src/logic/main.ts',
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/flame`,
          SHUTDOWN_DRAIN_MS: '0',
        },
      },
      () => undefined,
    );
    child.start();
    try {
      let seen = 0;
      const attempts: Record<string, unknown>[] = [];
      await child.waitForLog((record) => {
        if (record.msg !== 'migration failed, retrying') return false;
        attempts.push(record);
        return ++seen === 2;
      }, 30_000);
      assert.deepEqual(
        attempts.map((r) => [r.attempt, r.delayMs]),
        [
          [1, 500],
          [2, 1000],
        ],
      );
      assert.match(String((attempts[0]?.err as { message?: string })?.message), /ECONNREFUSED/);
      const exited = child.exited;
      process.kill(child.pid as number, 'SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      await child.stop();
    }
  });
});
