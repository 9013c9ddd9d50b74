import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoff, type FailedAttempt, TimedOut, waitFor } from '../../src/shared/wait.ts';

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
      timeoutMs: 5000,
      delayMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(new Error('shutting down')),
    });
    await assert.rejects(waiting, /shutting down/);
  });

  it('backs off exponentially up to a cap', () => {
    const delay = backoff(250, 5000);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(delay), [500, 1000, 2000, 4000, 5000, 5000]);
  });
});
