import type { EvidenceSummary } from './core/evidence.ts';
import { INVARIANT_KINDS, totalViolations } from './core/invariants.ts';
import { requestOk } from './core/load/request-log.ts';
import {
  type Check,
  evidenceCheck,
  type InvariantResult,
  type OperationRecord,
  type RequestRecord,
  type Verdict,
} from './core/model.ts';
import { countOperations, percent, successRate } from './core/statistics.ts';
import type { Scenario } from './scenarios/index.ts';

export type { Verdict } from './core/model.ts';

/** Everything one scenario is judged on, once its load has stopped. */
export interface Evidence {
  scenario: Scenario;
  requests: readonly RequestRecord[];
  operations: readonly OperationRecord[];
  invariants: InvariantResult;
  recoverySeconds: number | null;
  /** Undefined when healthy; otherwise what was not ready. */
  unhealthyBefore: string | undefined;
  unhealthyAfter: string | undefined;
  frontendBefore: string;
  frontendAfter: string;
  /** Steps that failed (creating the stock, inject, rollback, the audit): each fails it. */
  stepErrors: readonly string[];
  /** What the scenario shows it tested: purchases per phase, small events, fault counts. */
  summary: EvidenceSummary;
  /** The scenario's proof: checks on what was observed of its fault. */
  proofChecks: readonly Check[];
  /** Fewest purchases that must be confirmed in the phase(s) that matter (per profile). */
  minPurchases: number;
}

/** A message a person can read: short, no stack trace, no internals. */
export function isFriendlyMessage(message: string | null): boolean {
  if (!message || message.length > 200) return false;
  return !/Error:|\bat .+\(|ECONN|INJECTED|stack|undefined|null/i.test(message);
}

/** Every check of one scenario, and its verdict: pass only when every check passed. */
export function judge(e: Evidence): { verdict: Verdict; checks: Check[] } {
  const checks: Check[] = [...loadEvidence(e), ...e.proofChecks];
  const before = countOperations(e.operations.filter((o) => o.phase === 'before'));
  checks.push({
    name: 'steady state before',
    ok: e.unhealthyBefore === undefined && before.failed === 0 && before.total > 0,
    detail: e.unhealthyBefore ?? `${before.ok}/${before.total} operations succeeded`,
  });
  checks.push(...thresholdChecks(e));
  if (!e.scenario.restartsFrontend) {
    checks.push({
      name: 'frontend never restarted',
      ok: e.frontendBefore === e.frontendAfter,
      detail:
        e.frontendBefore === e.frontendAfter
          ? e.frontendAfter
          : `${e.frontendBefore} → ${e.frontendAfter}`,
    });
  }
  if (e.stepErrors.length > 0) {
    checks.push({ name: 'scenario steps ran', ok: false, detail: e.stepErrors.join('; ') });
  }
  checks.push({
    name: 'recovered',
    ok: e.recoverySeconds !== null,
    detail:
      e.recoverySeconds === null
        ? 'failures went on until the end of the run'
        : `steady ${e.recoverySeconds}s after the fault ended`,
  });
  checks.push({
    name: 'steady state after',
    ok: e.unhealthyAfter === undefined,
    detail: e.unhealthyAfter ?? 'every part ready',
  });
  const violations = totalViolations(e.invariants);
  checks.push({
    name: 'invariants hold',
    ok: violations === 0,
    detail:
      violations === 0
        ? 'no oversell, ledgers match, one order per key, every confirmation stored, no order for a rejection, no false sold-out, no 2xx without an order'
        : INVARIANT_KINDS.filter((k) => e.invariants[k] > 0)
            .map((k) => `${k}: ${e.invariants[k]}`)
            .join(', '),
  });
  return { verdict: verdictOf(checks), checks };
}

/** A failed correctness check fails; otherwise a failed evidence check is inconclusive. */
export function verdictOf(checks: readonly Check[]): Verdict {
  const failed = checks.filter((c) => !c.ok);
  if (failed.some((c) => !c.evidence)) return 'fail';
  return failed.length > 0 ? 'inconclusive' : 'pass';
}

/**
 * Purchases confirmed (201, or a replay of a confirmed order) where the fault could touch
 * them: catalog reads and sold-out answers are not load. A scenario that takes the whole
 * shop down must confirm purchases before and after, and answer 503 during.
 */
function loadEvidence(e: Evidence): Check[] {
  const { purchasesConfirmed: confirmed } = e.summary;
  const n = e.minPurchases;
  if (e.scenario.threshold.kind === 'probe') return [];
  if (!e.scenario.buysDuringFault) {
    const waits = e.scenario.threshold.kind === 'friendly503' && e.scenario.threshold.mayWait;
    return [
      evidenceCheck(
        `≥ ${n} purchases confirmed before and after the fault`,
        confirmed.before >= n && confirmed.after >= n,
        `${confirmed.before} before, ${confirmed.after} after`,
      ),
      ...(waits ? [] : [unavailableEvidence(e)]),
    ];
  }
  const soldOut = e.summary.smallEvents.filter((s) => s.soldOutDuringFault);
  return [
    evidenceCheck(
      `≥ ${n} purchases confirmed during the fault`,
      confirmed.fault >= n,
      `${confirmed.fault} during the fault (${confirmed.before} before, ${confirmed.after} after)`,
    ),
    evidenceCheck(
      'a small event sold out during the fault, buyers still contending',
      soldOut.length > 0,
      e.summary.smallEvents
        .map((s) =>
          s.soldOutAt === null
            ? `${s.id}: ${s.available ?? '?'} of ${s.capacity} left`
            : `${s.id}: sold out at ${(s.soldOutAt / 1000).toFixed(1)}s, ${s.buyersAtTheEnd} buyers on it in its last 2 s, ${s.soldOutAnswersDuringFault} turned away in the fault`,
        )
        .join('; ') || 'no small events were released',
    ),
    evidenceCheck(
      'no large event sold out',
      e.summary.largeEventsSoldOut.length === 0,
      e.summary.largeEventsSoldOut.length === 0
        ? 'the large events kept seats all along'
        : `sold out: ${e.summary.largeEventsSoldOut.join(', ')} (stock too small for the load)`,
    ),
  ];
}

function unavailableEvidence(e: Evidence): Check {
  return evidenceCheck(
    'purchases answered 503 during the fault',
    e.summary.unavailableDuringFault > 0,
    `${e.summary.unavailableDuringFault} purchase requests answered 503 while it was down`,
  );
}

function thresholdChecks(e: Evidence): Check[] {
  const threshold = e.scenario.threshold;
  if (threshold.kind === 'probe') return [];
  if (threshold.kind === 'successRate') {
    const counts = countOperations(e.operations);
    const rate = successRate(counts);
    return [
      {
        name: `user success ≥ ${percent(threshold.min)}`,
        ok: rate >= threshold.min,
        detail: `${percent(rate)} of ${counts.total} operations (${counts.failed} failed)`,
      },
    ];
  }
  const failed = e.requests.filter((r) => !requestOk(r));
  const unfriendly = failed.filter(
    (r) =>
      r.status !== 503 ||
      r.errorCode !== 'SERVICE_UNAVAILABLE' ||
      !r.retryAfter ||
      !isFriendlyMessage(r.errorMessage),
  );
  const catalog = e.requests.filter((r) => r.kind === 'catalog');
  const catalogFailed = catalog.filter((r) => r.status !== 200);
  const staleDuringFault = catalog.filter((r) => r.phase === 'fault' && r.stale === true).length;
  const example = unfriendly[0];
  return [
    {
      name: 'failures only as friendly 503',
      ok: unfriendly.length === 0,
      detail:
        unfriendly.length === 0
          ? `${failed.length} failed requests, all 503 SERVICE_UNAVAILABLE with Retry-After and a readable message`
          : `${unfriendly.length} of ${failed.length} failures were not, e.g. status ${example?.status} ${example?.errorCode ?? ''}: ${example?.errorMessage ?? ''}`,
    },
    {
      name: 'catalog always served',
      ok: catalogFailed.length === 0 && (staleDuringFault > 0 || threshold.mayWait === true),
      detail: `${catalog.length - catalogFailed.length}/${catalog.length} catalog reads answered 200; ${staleDuringFault} stale during the fault`,
    },
  ];
}
