import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../../shared/admin-client.ts';
import type { Audit, FaultCounts, FaultSettings } from '../types.ts';
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

/** POST /admin/events. */
export function postEvents(
  logicUrl: string,
  token: string,
  events: readonly NewEvent[],
): Promise<void> {
  return client(logicUrl, token).createEvents(events);
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
