// Shared pieces of the scenarios' proofs: what the buyers and the frontend saw of a fault.
import type { FaultCounts } from '../../shared/admin-api.ts';
import { type Check, confirmsOrder, evidenceCheck, type RequestRecord } from '../core/model.ts';
import { type FrontendCounts, frontendDelta, type Observations } from '../core/observations.ts';

export const purchasesInFault = (requests: readonly RequestRecord[]) =>
  requests.filter((r) => r.kind === 'purchase' && r.phase === 'fault');

/**
 * How far the frontend's count of failed attempts may be from the faults logic says it
 * injected on POST /orders: a quarter of the injected count, or 5, whichever is more. The
 * frontend also counts failures logic did not inject (an attempt slow under load), and a
 * few injected faults can land on a call the frontend had already given up on.
 */
export const FAULT_MATCH = { share: 0.25, slack: 5 } as const;

/** True when `observed` is at least one and within FAULT_MATCH of `injected`. */
export function matchesInjected(observed: number, injected: number): boolean {
  const allowed = Math.max(FAULT_MATCH.slack, FAULT_MATCH.share * injected);
  return observed > 0 && Math.abs(observed - injected) <= allowed;
}

/** Logic's own claim: it did inject the fault on orders (needed, never enough on its own). */
export function injectedCheck(
  injected: FaultCounts | undefined,
  mode: keyof FaultCounts,
  what: string,
): Check {
  const onOrders = injected?.[mode].orders ?? 0;
  return evidenceCheck(
    `logic says it injected ${what} on orders`,
    onOrders > 0,
    injected
      ? `${onOrders} on POST /orders, ${injected[mode].other} on other calls (counted by logic)`
      : 'the counts could not be read from logic',
  );
}

/** What the frontend saw from the moment the fault was set until the load stopped. */
export function frontendSaw(observed: Observations): FrontendCounts | undefined {
  const { frontendAtInject: a, frontendAtEnd: b } = observed;
  return a && b ? frontendDelta(a, b) : undefined;
}

/**
 * The frontend's failed attempts on orders (of one kind) match what logic says it injected:
 * a fault logic counts but the frontend never saw is evidence of nothing.
 */
export function frontendMatchCheck(
  observed: Observations,
  mode: keyof FaultCounts,
  kind: keyof FrontendCounts['failedOrderAttempts'],
  what: string,
): Check {
  const injected = observed.injected?.[mode].orders ?? 0;
  const saw = frontendSaw(observed);
  const seen = saw?.failedOrderAttempts[kind] ?? 0;
  return evidenceCheck(
    `the frontend saw the ${what} logic says it injected`,
    saw !== undefined && matchesInjected(seen, injected),
    saw
      ? `frontend: ${seen} order attempts failed with ${kind} (metrics), logic: ${injected} injected; allowed ±max(${FAULT_MATCH.slack}, ${FAULT_MATCH.share * 100}%)`
      : 'the frontend metrics could not be read',
  );
}

/** The frontend repeated failed order attempts (its retries, from its metrics). */
export function frontendRetriedCheck(observed: Observations): Check {
  const saw = frontendSaw(observed);
  return evidenceCheck(
    'the frontend retried the failed attempts',
    (saw?.retries ?? 0) > 0,
    saw ? `${saw.retries} retries of calls to logic (frontend metrics)` : 'no frontend metrics',
  );
}

/** Purchases the buyers saw confirmed, of those in the fault phase, that took at least `ms`. */
export function confirmedTakingAtLeast(requests: readonly RequestRecord[], ms: number) {
  return purchasesInFault(requests).filter((r) => confirmsOrder(r) && r.end - r.start >= ms);
}
