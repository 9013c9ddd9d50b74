// Each fault scenario's footprint: proof, from logic's own counts and from what the clients
// saw, that the fault really hit the shop while it was under load. Evidence checks: without
// them a scenario is inconclusive.
import { confirmsOrder, evidenceCheck } from './evidence.ts';
import type { Check, ProofInput } from './scenarios.ts';
import type { FaultCounts, RequestRecord } from './types.ts';

const purchasesInFault = (requests: readonly RequestRecord[]) =>
  requests.filter((r) => r.kind === 'purchase' && r.phase === 'fault');

const failedForClient = (r: RequestRecord) => r.status === 0 || r.status >= 500;

function injectedCheck(
  injected: FaultCounts | undefined,
  mode: keyof FaultCounts,
  what: string,
): Check {
  const onOrders = injected?.[mode].orders ?? 0;
  return evidenceCheck(
    `logic injected ${what} on orders`,
    onOrders > 0,
    injected
      ? `${onOrders} on POST /orders, ${injected[mode].other} on other calls (counted by logic)`
      : 'the counts could not be read from logic',
  );
}

/**
 * flaky-logic: logic failed some order calls with 500, and the frontend's retries absorbed
 * them — every injected 500 either reached a client or was retried, so the 500s injected on
 * orders minus the failures clients saw is a lower bound of the retries that saved a purchase.
 */
export function retriedFaultsProof({ requests, memo }: ProofInput): Check[] {
  const injected = memo.injected?.before.orders ?? 0;
  const seen = purchasesInFault(requests).filter(failedForClient).length;
  const absorbed = Math.max(0, injected - seen);
  return [
    injectedCheck(memo.injected, 'before', '500s'),
    evidenceCheck(
      'frontend retries absorbed injected 500s',
      absorbed > 0,
      `${injected} injected on orders, ${seen} purchase requests failed for the client: at least ${absorbed} retried away`,
    ),
  ];
}

/** lost-responses: orders committed and then their answer failed, seen again by a replay. */
export function lostResponsesProof({ requests, memo, invariants }: ProofInput): Check[] {
  const replays = requests.filter((r) => r.replayed && confirmsOrder(r)).length;
  return [
    injectedCheck(memo.injected, 'after-commit', 'lost answers after commit'),
    evidenceCheck(
      'a lost answer was replayed or its order found',
      replays + invariants.committedUnconfirmed > 0,
      `${replays} replayed confirmations (Idempotent-Replayed), ${invariants.committedUnconfirmed} orders committed that the client saw fail`,
    ),
  ];
}

/**
 * slow-logic: some attempts were held longer than the frontend's per-attempt timeout, and
 * purchases were confirmed after longer than that timeout but sooner than the injected
 * delay: the frontend gave up on the slow attempt and its retry confirmed the order.
 */
export function timedOutRetriedProof({ requests, memo, notes, attemptTimeoutMs }: ProofInput) {
  const latency = Number(notes.injectedLatencyMs);
  const retried = purchasesInFault(requests).filter((r) => {
    const took = r.end - r.start;
    return confirmsOrder(r) && took >= attemptTimeoutMs && took < latency;
  }).length;
  return [
    injectedCheck(memo.injected, 'delay', 'delays'),
    evidenceCheck(
      'attempts timed out and were retried',
      retried > 0,
      `${retried} purchases confirmed after ${attemptTimeoutMs}–${latency} ms (per-attempt timeout, then a retry)`,
    ),
  ];
}

/** replica-kill: the killed replica had served traffic, and the others served during the fault. */
export function killedReplicaProof({ requests, memo }: ProofInput): Check[] {
  const killed = memo.killed;
  const killedAt = memo.killedAt ?? Number.POSITIVE_INFINITY;
  const servedByKilled = requests.filter(
    (r) => r.servedBy === killed && r.start < killedAt && r.status > 0,
  ).length;
  const others = new Set(
    purchasesInFault(requests)
      .filter((r) => confirmsOrder(r) && r.servedBy && r.servedBy !== killed)
      .map((r) => r.servedBy),
  );
  return [
    evidenceCheck(
      'the killed replica had served traffic',
      servedByKilled > 0,
      `${servedByKilled} answers from ${killed ?? '(nothing killed)'} before the kill`,
    ),
    evidenceCheck(
      'the other replicas confirmed purchases during the fault',
      others.size > 0,
      others.size > 0 ? `served by ${[...others].sort().join(', ')}` : 'none',
    ),
  ];
}

/** rolling-restart: every replica that was there before was replaced (new pid, new pod uid). */
export function replacedProof({ memo }: ProofInput): Check[] {
  const before = memo.identitiesBefore ?? [];
  const after = new Set(memo.identitiesAfter ?? []);
  const kept = before.filter((id) => after.has(id));
  return [
    evidenceCheck(
      'every logic replica was replaced',
      before.length > 0 && kept.length === 0 && after.size > 0,
      kept.length > 0
        ? `not replaced: ${kept.join(', ')}`
        : `${before.join(', ') || '(none seen)'} → ${[...after].join(', ') || '(none)'}`,
    ),
  ];
}
