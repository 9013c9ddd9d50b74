import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  answersReady,
  backoff,
  checkReady,
  type FailedAttempt,
  TimedOut,
  waitFor,
} from '../../src/shared/wait.ts';

describe('waitFor (the one poll/retry loop)', () => {
  it('returns the first defined value and reports every attempt before it', async () => {
    const seen: FailedAttempt[] = [];
    let calls = 0;
    const value = await waitFor(
      'the third try',
      async () => {
        calls++;
        if (calls === 1) throw new Error('ECONNREFUSED');
        return calls === 3 ? 'done' : undefined;
      },
      { timeoutMs: 5000, delayMs: 1, onRetry: (attempt) => seen.push(attempt) },
    );
    assert.equal(value, 'done');
    assert.deepEqual(
      seen.map(({ attempt, reason }) => [attempt, reason]),
      [
        [1, 'ECONNREFUSED'],
        [2, 'not yet'],
      ],
    );
  });

  it('gives up after timeoutMs with TimedOut naming what and the last reason', async () => {
    await assert.rejects(
      waitFor(
        'logic to answer',
        async () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 30, delayMs: 5 },
      ),
      (error: unknown) =>
        error instanceof TimedOut &&
        /^Timed out after 0s waiting for logic to answer \(last attempt: ECONNREFUSED\)$/.test(
          error.message,
        ),
    );
  });

  it('stops waiting when its signal aborts (a shutdown)', async () => {
    const controller = new AbortController();
    const waiting = waitFor('forever', async () => undefined, {
      timeoutMs: 120_000,
      delayMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(new Error('shutting down')),
    });
    await assert.rejects(waiting, /shutting down/);
  });

  it('ends on time when an attempt hangs, aborting the signal it gave that attempt', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    let given: AbortSignal | undefined;
    // An attempt that never settles and ignores its signal: a kubectl or fetch that hangs.
    const waiting = waitFor(
      'a hung look-up',
      (signal) => {
        given = signal;
        return new Promise<never>(() => undefined);
      },
      { timeoutMs: 200, delayMs: 50 },
    );
    const outcome = waiting.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    t.mock.timers.tick(200);
    const error = await outcome;
    assert.ok(error instanceof TimedOut, `expected TimedOut, got ${String(error)}`);
    assert.match(
      error.message,
      /waiting for a hung look-up \(last attempt: no answer within 200 ms\)/,
    );
    assert.equal(given?.aborted, true);
  });

  it('gives each attempt its own deadline and tries again after one hangs', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const reasons: string[] = [];
    let calls = 0;
    const waiting = waitFor(
      'a second answer',
      async () => {
        calls++;
        if (calls === 1) return new Promise<never>(() => undefined);
        return 'answered';
      },
      {
        timeoutMs: 10_000,
        attemptTimeoutMs: 100,
        delayMs: 10,
        onRetry: ({ reason }) => reasons.push(reason),
      },
    );
    t.mock.timers.tick(100);
    // The pause between attempts is a timer too: advance it once the retry is scheduled.
    await new Promise(setImmediate);
    t.mock.timers.tick(10);
    assert.equal(await waiting, 'answered');
    assert.deepEqual(reasons, ['no answer within 100 ms']);
  });

  it('makes no attempt at the deadline, where it would have no time: gives up with the reason before', async () => {
    let calls = 0;
    const error = await waitFor(
      'a smoke purchase',
      async () => {
        calls++;
        throw new Error('GET /api/events answered 503');
      },
      { timeoutMs: 100, delayMs: 200 },
    ).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof TimedOut);
    assert.match(
      error.message,
      /waiting for a smoke purchase \(last attempt: GET \/api\/events answered 503\)$/,
    );
    assert.equal(calls, 1);
  });

  it('backs off exponentially up to a cap', () => {
    const delay = backoff(250, 5000);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(delay), [500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('checkReady and answersReady (GET url answers 200)', () => {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/readyz' ? 200 : 503;
    res.end('x'.repeat(64 * 1024));
  });
  let base = '';

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('says yes to a 200, and why not to anything else', async () => {
    await checkReady(`${base}/readyz`);
    assert.equal(await answersReady(`${base}/readyz`), true);
    await assert.rejects(checkReady(`${base}/draining`), /^Error: status 503$/);
    assert.equal(await answersReady(`${base}/draining`), false);
  });

  it('says no when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(await answersReady(`http://127.0.0.1:${port}/readyz`), false);
  });
});
