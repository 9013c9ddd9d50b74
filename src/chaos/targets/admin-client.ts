import { setTimeout as sleep } from 'node:timers/promises';
import type { Audit, FaultSettings } from '../types.ts';

const TIMEOUT_MS = 5000;

async function call(
  url: string,
  token: string,
  init: { method: 'GET' | 'PUT'; body?: unknown },
): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${init.method} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text) as unknown;
}

/** PUT /admin/faults on one logic replica. */
export async function putFaults(
  logicUrl: string,
  token: string,
  settings: FaultSettings,
): Promise<void> {
  await call(`${logicUrl}/admin/faults`, token, { method: 'PUT', body: settings });
}

/** GET /admin/audit: the raw ledger and every order. */
export async function getAudit(logicUrl: string, token: string): Promise<Audit> {
  const body = (await call(`${logicUrl}/admin/audit`, token, { method: 'GET' })) as Audit;
  if (!Array.isArray(body.events) || !Array.isArray(body.orders)) {
    throw new Error(`GET ${logicUrl}/admin/audit did not return {events, orders}`);
  }
  return body;
}

/** True when GET url answers 200 within a second. */
export async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Retries `fn` until it resolves or `timeoutMs` passes; rethrows the last error naming `what`. */
export async function withRetry<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`${what} kept failing for ${timeoutMs} ms: ${(error as Error).message}`);
      }
      await sleep(250);
    }
  }
}
