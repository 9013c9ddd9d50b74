import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadFrontendConfig } from '../../src/frontend/config.ts';
import { LogicClient } from '../../src/frontend/logic-client.ts';
import { backoffDelay, isRetryable, parseRetryAfter } from '../../src/frontend/retry-policy.ts';
import { createLogger } from '../../src/shared/logger.ts';

const options = { baseMs: 100, maxMs: 1000, retryAfterMaxMs: 2000 };

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const top = { ...options, random: () => 0.999999 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 8].map((a) => backoffDelay(a, null, top)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(backoffDelay(3, null, { ...options, random: () => 0 }), 0);
    assert.equal(backoffDelay(2, null, { ...options, random: () => 0.5 }), 200);
  });

  it('honours Retry-After in seconds or as a date, capped', () => {
    assert.equal(backoffDelay(0, '1', options), 1000);
    assert.equal(backoffDelay(0, '120', options), 2000);
    assert.equal(parseRetryAfter(new Date(Date.now() + 1500).toUTCString()) !== undefined, true);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('isRetryable', () => {
  const open = new AbortController().signal;
  it('retries network errors and 500/502/503/504 only', () => {
    for (const status of [undefined, 500, 502, 503, 504]) {
      assert.equal(
        isRetryable({ attempt: 0, retries: 3, status, deadline: open }),
        true,
        String(status),
      );
    }
    for (const status of [200, 201, 400, 404, 409, 422, 501]) {
      assert.equal(
        isRetryable({ attempt: 0, retries: 3, status, deadline: open }),
        false,
        String(status),
      );
    }
  });

  it('stops at the retry budget and at the deadline', () => {
    assert.equal(isRetryable({ attempt: 3, retries: 3, status: 503, deadline: open }), false);
    assert.equal(
      isRetryable({ attempt: 0, retries: 3, status: 503, deadline: AbortSignal.abort() }),
      false,
    );
  });
});

describe('LogicClient retry loop (fake timers)', () => {
  function clientWith(responses: number[], env: Record<string, string> = {}) {
    const calls: string[] = [];
    const fakeFetch = (async (url: URL) => {
      calls.push(url.origin);
      const status = responses.shift() ?? 200;
      return new Response(JSON.stringify({ ok: status < 400 }), { status });
    }) as typeof fetch;
    const config = loadFrontendConfig({
      LOGIC_URL: 'http://a.test:1,http://b.test:2',
      RETRY_BASE_MS: '100',
      RETRY_MAX_MS: '100',
      ...env,
    });
    const client = new LogicClient(
      config,
      createLogger({ service: 'frontend', level: 'silent' }),
      fakeFetch,
    );
    return { client, calls };
  }
  const log = createLogger({ service: 'frontend', level: 'silent' });

  it('retries at once on the other replica, then waits for the backoff', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { client, calls } = clientWith([503, 503, 200]);
    const result = client.call({ method: 'GET', path: '/events', idempotent: true, log });
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      t.mock.timers.tick(0);
    }
    assert.equal(calls.length, 2, 'the first retry did not wait');
    assert.notEqual(calls[0], calls[1], 'the first retry went to the other replica');
    t.mock.timers.tick(100);
    const response = await result;
    assert.equal(response.status, 200);
    assert.equal(calls.length, 3);
  });

  /** Moves the fake clock by `ms`, then lets the retry loop run what that released. */
  async function advance(t: TestContext, ms: number): Promise<void> {
    t.mock.timers.tick(ms);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Attempts made by each moment (ms of fake time) for a call whose answers are `responses`. */
  async function attemptsBy(
    t: TestContext,
    responses: number[],
    env: Record<string, string>,
    moments: number[],
  ): Promise<number[]> {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    t.mock.method(Math, 'random', () => 0.999);
    const { client, calls } = clientWith(responses, env);
    const result = client.call({ method: 'GET', path: '/events', idempotent: true, log });
    const seen: number[] = [];
    let now = 0;
    await advance(t, 0);
    for (const moment of moments) {
      await advance(t, moment - now);
      now = moment;
      seen.push(calls.length);
    }
    assert.equal((await result).status, 200);
    return seen;
  }

  it('starts the backoff at RETRY_BASE_MS after the immediate retry, then doubles it', async (t) => {
    // Two replicas: at once, then up to 100 ms (the first step), then up to 200 ms more.
    const seen = await attemptsBy(
      t,
      [503, 503, 503, 200],
      { RETRY_MAX_MS: '1000' },
      [0, 99, 100, 299, 300],
    );
    assert.deepEqual(seen, [2, 2, 3, 3, 4]);
  });

  it('retries at once on the same URL when there is only one, then waits for the backoff', async (t) => {
    const seen = await attemptsBy(
      t,
      [503, 503, 200],
      { LOGIC_URL: 'http://only.test:1' },
      [0, 99, 100],
    );
    assert.deepEqual(seen, [2, 2, 3]);
  });

  it('never retries a call that is not idempotent', async () => {
    const { client, calls } = clientWith([503, 200]);
    await assert.rejects(client.call({ method: 'POST', path: '/orders', idempotent: false, log }), {
      name: 'LogicUnavailableError',
    });
    assert.equal(calls.length, 1);
  });

  it('gives up after the retry budget and passes 4xx answers through untouched', async () => {
    const { client, calls } = clientWith([500, 500, 500], {
      LOGIC_RETRIES: '2',
      RETRY_BASE_MS: '0',
    });
    await assert.rejects(client.call({ method: 'GET', path: '/events', idempotent: true, log }));
    assert.equal(calls.length, 3);
    const second = clientWith([409]);
    const response = await second.client.call({
      method: 'POST',
      path: '/orders',
      idempotent: true,
      log,
    });
    assert.equal(response.status, 409);
    assert.equal(second.calls.length, 1);
  });
});
