import { INVARIANT_KINDS, type InvariantResult, totalViolations } from './invariants.ts';
import { requestOk } from './load/request-log.ts';
import type { Check, Scenario } from './scenarios.ts';
import { countOperations, successRate } from './statistics.ts';
import type { OperationRecord, RequestRecord } from './types.ts';

export type Verdict = 'pass' | 'fail' | 'skipped';

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
  /** Checks the scenario itself made (data kept, probe results). */
  scenarioChecks: readonly Check[];
  /** Fewest operations the fault phase must see for the run to mean anything. */
  minFaultOperations: number;
}

const pct = (rate: number) => `${(Math.floor(rate * 10000) / 100).toFixed(2)}%`;

/** A message a person can read: short, no stack trace, no internals. */
export function isFriendlyMessage(message: string | null): boolean {
  if (!message || message.length > 200) return false;
  return !/Error:|\bat .+\(|ECONN|INJECTED|stack|undefined|null/i.test(message);
}

/** Every check of one scenario, and its verdict: pass only when every check passed. */
export function judge(e: Evidence): { verdict: Verdict; checks: Check[] } {
  const checks: Check[] = [];
  const faultOps = e.operations.filter((o) => o.phase === 'fault').length;
  checks.push({
    name: 'load ran during the fault',
    ok: faultOps >= e.minFaultOperations,
    detail: `${faultOps} operations during the fault (at least ${e.minFaultOperations})`,
  });
  const before = countOperations(e.operations.filter((o) => o.phase === 'before'));
  checks.push({
    name: 'steady state before',
    ok: e.unhealthyBefore === undefined && before.failed === 0 && before.total > 0,
    detail: e.unhealthyBefore ?? `${before.ok}/${before.total} operations succeeded`,
  });
  checks.push(...thresholdChecks(e));
  if (e.scenario.name !== 'frontend-kill') {
    checks.push({
      name: 'frontend never restarted',
      ok: e.frontendBefore === e.frontendAfter,
      detail:
        e.frontendBefore === e.frontendAfter
          ? e.frontendAfter
          : `${e.frontendBefore} → ${e.frontendAfter}`,
    });
  }
  checks.push(...e.scenarioChecks);
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
        ? 'no oversell, ledgers match, one order per key, every confirmation stored, no order for a rejection'
        : INVARIANT_KINDS.filter((k) => e.invariants[k] > 0)
            .map((k) => `${k}: ${e.invariants[k]}`)
            .join(', '),
  });
  return { verdict: checks.every((c) => c.ok) ? 'pass' : 'fail', checks };
}

function thresholdChecks(e: Evidence): Check[] {
  const threshold = e.scenario.threshold;
  if (threshold.kind === 'probe') return [];
  if (threshold.kind === 'successRate') {
    const counts = countOperations(e.operations);
    const rate = successRate(counts);
    return [
      {
        name: `user success ≥ ${pct(threshold.min)}`,
        ok: rate >= threshold.min,
        detail: `${pct(rate)} of ${counts.total} operations (${counts.failed} failed)`,
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
      ok: catalogFailed.length === 0 && staleDuringFault > 0,
      detail: `${catalog.length - catalogFailed.length}/${catalog.length} catalog reads answered 200; ${staleDuringFault} stale during the fault`,
    },
  ];
}
