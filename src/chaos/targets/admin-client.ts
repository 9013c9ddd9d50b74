import { AdminApiError, AdminClient } from '../../shared/admin-client.ts';
import { type FailedAttempt, waitFor } from '../../shared/wait.ts';
import type { Audit, FaultCounts, FaultSettings } from '../core/model.ts';
import type { NewEvent } from './target.ts';

const client = (logicUrl: string, token: string) => new AdminClient(logicUrl, token);

/** PUT /admin/faults through one replica: the database carries it to every replica. */
export async function putFaults(
  logicUrl: string,
  token: string,
  settings: FaultSettings,
): Promise<void> {
  await client(logicUrl, token).putFaults(settings);
}

/** GET /admin/faults on one replica: what it injected since its settings last changed. */
export async function getFaultCounts(logicUrl: string, token: string): Promise<FaultCounts> {
  return (await client(logicUrl, token).getFaults()).injected.counts;
}

/** GET /admin/audit: the raw ledger and the orders, of the given events or of all. */
export function getAudit(
  logicUrl: string,
  token: string,
  eventIds?: readonly string[],
): Promise<Audit> {
  return client(logicUrl, token).getAudit(eventIds);
}

/**
 * POST /admin/events, safe to retry: event ids are unique per run, so a 400 after an earlier
 * try may only mean that try got through. That is checked against the audit (every event
 * there, with its capacity), not read from the error's wording; anything else is rethrown.
 */
export async function postEvents(
  logicUrl: string,
  token: string,
  events: readonly NewEvent[],
): Promise<void> {
  const admin = client(logicUrl, token);
  try {
    await admin.createEvents(events);
  } catch (error) {
    if (!(error instanceof AdminApiError) || error.status !== 400) throw error;
    const stored = new Map(
      (await admin.getAudit(events.map((e) => e.id))).events.map((e) => [e.id, e.capacity]),
    );
    if (!events.every((e) => stored.get(e.id) === e.capacity)) throw error;
  }
}

/** POST /admin/events/archive. */
export function postArchive(
  logicUrl: string,
  token: string,
  ids: readonly string[],
): Promise<void> {
  return client(logicUrl, token).archiveEvents(ids);
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
