import { confirmedOrder } from '../../../../web/confirmation.js';
import type { RequestRecord } from '../model.ts';

export interface ShopEvent {
  id: string;
  capacity: number;
  available: number;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/**
 * Sends one request to the shop's public API and writes what the client saw into `record`:
 * status, error code and message, order id, served-by, replay and stale flags. Never throws:
 * a network error or a timeout is status 0 with code NETWORK or TIMEOUT. Returns the body.
 */
export async function sendRecorded(
  record: RequestRecord,
  request: { url: string; method: 'GET' | 'POST'; body?: unknown; timeoutMs: number },
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (record.key) headers['idempotency-key'] = record.key;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    record.errorCode = timedOut ? 'TIMEOUT' : 'NETWORK';
    record.errorMessage = describeFetchError(error);
    return undefined;
  }
  record.status = response.status;
  record.servedBy = response.headers.get('x-served-by');
  record.servedBoot = response.headers.get('x-boot-id');
  record.replayed = response.headers.get('idempotent-replayed') === 'true';
  record.retryAfter = response.headers.get('retry-after');
  let body: unknown;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : undefined;
  } catch (error) {
    // The status arrived but the body did not (connection cut mid-body) or was not JSON.
    record.errorCode = 'BAD_BODY';
    record.errorMessage = describeFetchError(error);
    return undefined;
  }
  if (!response.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    record.errorCode = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
    record.errorMessage = typeof error?.message === 'string' ? error.message : null;
    return body;
  }
  if (record.kind === 'purchase')
    record.orderId = confirmedOrder(response.status, body)?.id ?? null;
  const stale = (body as { stale?: unknown } | undefined)?.stale;
  if (typeof stale === 'boolean') record.stale = stale;
  return body;
}

function describeFetchError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : err.message;
}

/** The events of a catalog body, or undefined when it holds none. */
export function eventsOf(body: unknown): ShopEvent[] | undefined {
  const events = (body as { events?: unknown } | undefined)?.events;
  if (!Array.isArray(events)) return undefined;
  return events.filter(
    (e): e is ShopEvent =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as ShopEvent).id === 'string' &&
      typeof (e as ShopEvent).available === 'number',
  );
}
