import { randomUUID } from 'node:crypto';
import autocannon, { type AutocannonRequest } from 'autocannon';

/** What to send: a plain GET, or an order with a fresh Idempotency-Key every request. */
export type LoadTarget =
  | { kind: 'get'; url: string }
  | { kind: 'order'; url: string; eventIds: readonly string[] };

export interface LoadSample {
  reqPerSec: number;
  p50: number;
  p99: number;
  /** 2xx answers over every request sent (answers, errors and timeouts). */
  successRate: number;
  /** Requests answered with 2xx, and requests sent (answers + errors + timeouts). */
  ok: number;
  sent: number;
}

function orderRequests(target: { url: string; eventIds: readonly string[] }): AutocannonRequest[] {
  const path = new URL(target.url).pathname;
  let turn = 0;
  return [
    {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      // A unique key per request, and the events taken in turn so no single row is the
      // bottleneck: the benchmark measures the path, not one row lock.
      setupRequest: (request) => {
        const eventId = target.eventIds[turn++ % target.eventIds.length];
        return {
          ...request,
          headers: { ...request.headers, 'idempotency-key': `bench-${randomUUID()}` },
          body: JSON.stringify({ eventId, quantity: 1 }),
        };
      },
    },
  ];
}

/** One autocannon run against a loopback URL, bounded in time. */
export async function runLoad(
  target: LoadTarget,
  options: { connections: number; durationS: number },
): Promise<LoadSample> {
  const url = new URL(target.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`benchmarks only send load to loopback, not ${url.hostname}`);
  }
  const result = await autocannon({
    url: url.origin,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    requests:
      target.kind === 'get' ? [{ method: 'GET', path: url.pathname }] : orderRequests(target),
  });
  const sent = result.requests.total + result.errors;
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    successRate: sent === 0 ? 0 : result['2xx'] / sent,
    ok: result['2xx'],
    sent,
  };
}
