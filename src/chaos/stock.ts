// How a scenario's stock (model.ts's Stock) is named and sized, and its events made.

import type { NewEvent } from '../shared/admin-api.ts';
import { AdminApiError, type AdminClient } from '../shared/admin-client.ts';

export const LARGE_EVENTS = 3;
export const SMALL_EVENTS = 2;
/** The most seats one purchase takes (the load generator's choice is 1-4). */
const MAX_SEATS_PER_PURCHASE = 4;
/** Large events hold this many times what the measured rate could sell in the scenario. */
const LARGE_MARGIN = 3;
/**
 * Each small event holds the seats this share of the fault window sells at the measured
 * rate. Half the purchases go to the scarcest open event and the rest spread over all five,
 * so the two small events take about 70 % of the seats and are both gone by about 17 % of
 * the fault at the steady rate: still inside it when the fault cuts the rate to a third
 * (slow-logic holds a fifth of the calls for seconds), and never before it started.
 */
const SMALL_SHARE_OF_FAULT = 0.06;

/**
 * The fastest the load generator can buy, whatever the shop does: every buyer completes at
 * most one operation per think time, each of at most four seats. The first scenario of a run
 * has no measured rate yet and sizes its large events from this bound.
 */
export function seatRateBound(buyers: number, thinkMinMs: number): number {
  return buyers * MAX_SEATS_PER_PURCHASE * (1000 / Math.max(1, thinkMinMs));
}

/** Capacity of each large event: the whole scenario at `margin` × the rate cannot empty one. */
export function largeCapacity(seatsPerSecond: number, scenarioMaxMs: number): number {
  return Math.max(100, Math.ceil(seatsPerSecond * LARGE_MARGIN * (scenarioMaxMs / 1000)));
}

/** Capacity of each small event, from the rate measured in this scenario's steady phase. */
export function smallCapacity(seatsPerSecond: number, faultMs: number): number {
  const seats = Math.floor(seatsPerSecond * (faultMs / 1000) * SMALL_SHARE_OF_FAULT);
  return Math.min(5000, Math.max(2, seats));
}

/** Event ids are [a-z0-9-], at most 64 characters: run id and scenario name fit. */
export function stockPrefix(runId: string, scenario: string): string {
  return `${runId}-${scenario}-`.toLowerCase();
}

function event(prefix: string, name: string, capacity: number, startsAt: Date): NewEvent {
  return {
    id: `${prefix}${name}`,
    name: `Chaos ${prefix}${name}`,
    venue: 'Chaos stock',
    startsAt: startsAt.toISOString(),
    priceCents: 100,
    capacity,
  };
}

const nextYear = () => new Date(Date.now() + 365 * 24 * 3600 * 1000);

export function largeEvents(prefix: string, capacity: number): NewEvent[] {
  return Array.from({ length: LARGE_EVENTS }, (_, i) =>
    event(prefix, `large-${i + 1}`, capacity, nextYear()),
  );
}

export function smallEvents(prefix: string, capacity: number): NewEvent[] {
  return Array.from({ length: SMALL_EVENTS }, (_, i) =>
    event(prefix, `small-${i + 1}`, capacity, nextYear()),
  );
}

/**
 * POST /admin/events, safe to retry: a stock's event ids are unique per run (stockPrefix), so a
 * 400 after an earlier try may only mean that try got through. That is checked against the
 * audit (every event there, with its capacity), not read from the error's wording; anything
 * else is rethrown.
 */
export async function createStockEvents(
  admin: AdminClient,
  events: readonly NewEvent[],
): Promise<void> {
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
