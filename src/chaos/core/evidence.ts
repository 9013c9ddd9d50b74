import type { Audit } from '../../shared/admin-api.ts';
import { confirmsOrder, type Phase, type RequestRecord, type Stock } from './model.ts';

/** A small event of a scenario's stock: did it sell out while the fault was on? */
export interface SmallEventOutcome {
  id: string;
  capacity: number;
  /** Seats left at the end, from the audit (null when the audit could not be read). */
  available: number | null;
  /** Ms since the scenario started: end of the last purchase confirmed on it, once sold out. */
  soldOutAt: number | null;
  /**
   * Sold out with its last confirmed seat inside the fault window, while buyers contended for
   * it: at least two buyers tried it in the two seconds before it sold out, or a buyer was
   * turned away with SOLD_OUT during the fault.
   */
  soldOutDuringFault: boolean;
  /** Distinct buyers that tried it in the two seconds before it sold out. */
  buyersAtTheEnd: number;
  /** 409 SOLD_OUT answers on it during the fault: buyers who lost the race for its last seats. */
  soldOutAnswersDuringFault: number;
}

/** How far before the sell-out a purchase attempt counts as contending for the last seats. */
const CONTENTION_WINDOW_MS = 2000;

/**
 * What a scenario shows it tested, for the report and the verdict: purchases confirmed per
 * phase (by their confirming request's phase), how the small events sold out, and the
 * scenario's own fault footprint (`fault`, counted by logic or seen by the client).
 */
export interface EvidenceSummary {
  purchasesConfirmed: Record<Phase, number>;
  /** 503 SERVICE_UNAVAILABLE answers to purchases during the fault. */
  unavailableDuringFault: number;
  smallEvents: SmallEventOutcome[];
  /** Large events that sold out: the stock was too small, so the load stopped testing. */
  largeEventsSoldOut: string[];
  fault: Record<string, number>;
}

/** Keys confirmed per phase: a purchase counts once, in the phase its first confirmation began. */
export function confirmedByPhase(requests: readonly RequestRecord[]): Record<Phase, number> {
  const counts: Record<Phase, number> = { before: 0, fault: 0, after: 0 };
  const seen = new Set<string>();
  for (const r of requests) {
    if (!confirmsOrder(r) || r.key === null || seen.has(r.key)) continue;
    seen.add(r.key);
    counts[r.phase]++;
  }
  return counts;
}

/** Seats confirmed per second in the steady phase before the fault: the measured purchase rate. */
export function seatsPerSecond(requests: readonly RequestRecord[], ms: number): number {
  const seats = requests
    .filter((r) => r.phase === 'before' && confirmsOrder(r) && !r.replayed)
    .reduce((sum, r) => sum + (r.quantity ?? 0), 0);
  return ms > 0 ? seats / (ms / 1000) : 0;
}

export function summarizeEvidence(input: {
  requests: readonly RequestRecord[];
  stock: Stock;
  audit: Audit | undefined;
  /** The fault window in the log's time (ms since the run started). */
  fault: { start: number; end: number };
  /** The scenario's start in the log's time, so times in the report are scenario-relative. */
  t0: number;
  faultCounts: Record<string, number>;
}): EvidenceSummary {
  const { requests, stock, audit, fault } = input;
  const left = new Map(audit?.events.map((e) => [e.id, e.available]) ?? []);
  const smallEvents = stock.small.map((event): SmallEventOutcome => {
    const on = requests.filter((r) => r.eventId === event.id);
    const available = left.get(event.id) ?? null;
    const lastConfirmed = Math.max(-1, ...on.filter(confirmsOrder).map((r) => r.end));
    const soldOutAt = available === 0 && lastConfirmed >= 0 ? lastConfirmed : null;
    const turnedAway = on.filter(
      (r) => r.phase === 'fault' && r.status === 409 && r.errorCode === 'SOLD_OUT',
    ).length;
    const lastSecond =
      soldOutAt === null
        ? 0
        : new Set(
            on
              .filter((r) => r.start <= soldOutAt && r.start >= soldOutAt - CONTENTION_WINDOW_MS)
              .map((r) => r.buyer),
          ).size;
    const inFault = soldOutAt !== null && soldOutAt >= fault.start && soldOutAt <= fault.end;
    return {
      id: event.id,
      capacity: event.capacity,
      available,
      soldOutAt: soldOutAt === null ? null : soldOutAt - input.t0,
      soldOutDuringFault: inFault && (lastSecond >= 2 || turnedAway > 0),
      buyersAtTheEnd: lastSecond,
      soldOutAnswersDuringFault: turnedAway,
    };
  });
  return {
    purchasesConfirmed: confirmedByPhase(requests),
    unavailableDuringFault: requests.filter(
      (r) => r.kind === 'purchase' && r.phase === 'fault' && r.status === 503,
    ).length,
    smallEvents,
    largeEventsSoldOut: stock.large.filter((e) => left.get(e.id) === 0).map((e) => e.id),
    fault: input.faultCounts,
  };
}
