import { sleep } from '../../../shared/sleep.ts';
import type { RequestRecord } from '../model.ts';
import type { Random } from '../random.ts';
import type { KnownEvents } from './known-events.ts';
import { type RequestLog, requestOk } from './request-log.ts';
import { eventsOf, sendRecorded } from './shop-client.ts';

export interface BuyerSettings {
  shopUrl: string;
  /** One request's client-side timeout; above the frontend's overall deadline. */
  requestTimeoutMs: number;
  /** The client's own retries of a purchase (same Idempotency-Key) after a 5xx or no answer. */
  clientRetries: number;
  /** Cap of a Retry-After the client honours. */
  retryAfterCapMs: number;
  /** Pause between two operations of one buyer. */
  thinkMs: readonly [number, number];
  /** Share of operations that are catalog reads. */
  catalogShare: number;
  /** Buyers that only browse the catalog (a page left open), so it is sampled all along. */
  browsers: number;
  /** Prefix of every Idempotency-Key, unique per run. */
  keyPrefix: string;
  /** Buyers buy only events whose id starts with it: the scenario's own stock. */
  eventPrefix?: string;
}

interface BuyerContext {
  id: number;
  settings: BuyerSettings;
  log: RequestLog;
  known: KnownEvents;
  random: Random;
  stopped: () => boolean;
}

/** One virtual buyer: browses the catalog and buys tickets until told to stop. */
export async function runBuyer(context: BuyerContext): Promise<void> {
  const { settings, random } = context;
  let purchases = 0;
  const browserOnly = context.id <= settings.browsers;
  while (!context.stopped()) {
    const browse = browserOnly || context.known.size === 0 || random.next() < settings.catalogShare;
    if (browse) await readCatalog(context);
    else
      await purchase(
        context,
        `${settings.keyPrefix}-${context.log.scenario}-b${context.id}-${++purchases}`,
      );
    if (context.stopped()) break;
    await sleep(random.int(settings.thinkMs[0], settings.thinkMs[1]));
  }
}

async function readCatalog(context: BuyerContext): Promise<void> {
  const { log, settings } = context;
  const operation = log.openOperation('catalog');
  const record = log.openRequest(operation, {
    buyer: context.id,
    attempt: 1,
    key: null,
    eventId: null,
    quantity: null,
  });
  try {
    const body = await sendRecorded(record, {
      url: `${settings.shopUrl}/api/events`,
      method: 'GET',
      timeoutMs: settings.requestTimeoutMs,
    });
    const events = eventsOf(body);
    if (events && record.stale === false) context.known.update(events);
  } finally {
    log.closeRequest(record);
    log.closeOperation(operation, requestOk(record), record);
  }
}

/**
 * One purchase attempt as the web UI makes it: one Idempotency-Key, re-sent unchanged on the
 * client's own retries, so a lost answer can never buy twice.
 */
async function purchase(context: BuyerContext, key: string): Promise<void> {
  const { log, settings, random } = context;
  const choice = context.known.choose(random);
  if (!choice) return;
  const body = { ...choice, email: `buyer-${context.id}@chaos.flametickets.invalid` };
  const operation = log.openOperation('purchase');
  let last: RequestRecord | undefined;
  try {
    for (let attempt = 1; attempt <= settings.clientRetries + 1; attempt++) {
      const record = log.openRequest(operation, {
        buyer: context.id,
        attempt,
        key,
        eventId: choice.eventId,
        quantity: choice.quantity,
      });
      last = record;
      let answer: unknown;
      try {
        answer = await sendRecorded(record, {
          url: `${settings.shopUrl}/api/orders`,
          method: 'POST',
          body,
          timeoutMs: settings.requestTimeoutMs,
        });
      } finally {
        log.closeRequest(record);
      }
      if (record.errorCode === 'SOLD_OUT') noteSeatsLeft(context, choice.eventId, answer);
      const lastAttempt = attempt > settings.clientRetries;
      // No wait after the last attempt: the operation ends with its last answer.
      if (!shouldRetry(record) || context.stopped() || lastAttempt) break;
      await sleep(retryDelay(record, settings, random));
    }
  } finally {
    log.closeOperation(operation, last !== undefined && requestOk(last), last);
  }
}

function shouldRetry(record: RequestRecord): boolean {
  return record.status === 0 || record.status >= 500 || record.errorCode === 'BAD_BODY';
}

function retryDelay(record: RequestRecord, settings: BuyerSettings, random: Random): number {
  const seconds = Number(record.retryAfter);
  if (record.retryAfter && Number.isFinite(seconds)) {
    return Math.min(seconds * 1000, settings.retryAfterCapMs);
  }
  return random.int(200, 600);
}

function noteSeatsLeft(context: BuyerContext, eventId: string, answer: unknown): void {
  const details = (answer as { error?: { details?: { available?: unknown } } } | undefined)?.error
    ?.details;
  if (typeof details?.available === 'number') context.known.seatsLeft(eventId, details.available);
}
