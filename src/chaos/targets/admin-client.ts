import { type FailedAttempt, waitFor } from '../../shared/wait.ts';
import type { Audit, FaultCounts, FaultSettings } from '../types.ts';
import type { NewEvent } from './target.ts';

const TIMEOUT_MS = 5000;

async function call(
  url: string,
  token: string,
  init: { method: 'GET' | 'PUT' | 'POST'; body?: unknown },
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

/** GET /admin/faults on one replica: what it injected since its settings last changed. */
export async function getFaultCounts(logicUrl: string, token: string): Promise<FaultCounts> {
  const body = (await call(`${logicUrl}/admin/faults`, token, { method: 'GET' })) as {
    injected?: { counts?: FaultCounts };
  };
  const counts = body.injected?.counts;
  if (!counts?.before || !counts['after-commit'] || !counts.delay) {
    throw new Error(`GET ${logicUrl}/admin/faults did not return injected.counts`);
  }
  return counts;
}

/** GET /admin/audit: the raw ledger and the orders, of the given events or of all. */
export async function getAudit(
  logicUrl: string,
  token: string,
  eventIds?: readonly string[],
): Promise<Audit> {
  const query = eventIds ? `?events=${eventIds.map(encodeURIComponent).join(',')}` : '';
  const body = (await call(`${logicUrl}/admin/audit${query}`, token, { method: 'GET' })) as Audit;
  if (!Array.isArray(body.events) || !Array.isArray(body.orders)) {
    throw new Error(`GET ${logicUrl}/admin/audit did not return {events, orders}`);
  }
  return body;
}

/** POST /admin/events. */
export async function postEvents(
  logicUrl: string,
  token: string,
  events: readonly NewEvent[],
): Promise<void> {
  await call(`${logicUrl}/admin/events`, token, { method: 'POST', body: { events } });
}

/** POST /admin/events/archive. */
export async function postArchive(
  logicUrl: string,
  token: string,
  ids: readonly string[],
): Promise<void> {
  await call(`${logicUrl}/admin/events/archive`, token, { method: 'POST', body: { ids } });
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

/**
 * Retries `fn` every 250 ms until it resolves or `timeoutMs` passes (then rejects with TimedOut
 * naming `what` and the last error), telling `log` about each failed attempt.
 */
export async function withRetry<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T>,
  log?: (attempt: FailedAttempt) => void,
): Promise<T> {
  // waitFor polls for a defined value: a void result counts as done.
  const { value } = await waitFor(what, async () => ({ value: await fn() }), {
    timeoutMs,
    delayMs: 250,
    ...(log ? { onRetry: log } : {}),
  });
  return value;
}
