import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInvariants } from '../../src/chaos/invariants.ts';
import { exitCodeFor } from '../../src/chaos/run-chaos.ts';
import { findScenario } from '../../src/chaos/scenarios.ts';
import { percentile, recoverySeconds } from '../../src/chaos/statistics.ts';
import type { OperationRecord, RequestRecord } from '../../src/chaos/types.ts';
import { type Evidence, isFriendlyMessage, judge } from '../../src/chaos/verdict.ts';
import { audit, purchase } from './support/records.ts';

function op(fields: Partial<OperationRecord>): OperationRecord {
  return {
    id: 1,
    scenario: 's',
    phase: 'fault',
    kind: 'purchase',
    start: 0,
    end: 10,
    ok: true,
    finalStatus: 201,
    finalCode: null,
    stale: false,
    requests: 1,
    ...fields,
  };
}

function evidence(
  name: string,
  requests: RequestRecord[],
  operations: OperationRecord[],
): Evidence {
  const scenario = findScenario(name);
  assert.ok(scenario);
  return {
    scenario,
    requests,
    operations,
    invariants: checkInvariants(audit(10, []), []),
    recoverySeconds: 0,
    unhealthyBefore: undefined,
    unhealthyAfter: undefined,
    frontendBefore: 'pid 1',
    frontendAfter: 'pid 1',
    scenarioChecks: [],
    minFaultOperations: 1,
  };
}

const steady = [op({ phase: 'before' }), op({ phase: 'fault' }), op({ phase: 'after' })];

describe('verdicts', () => {
  it('fails logic-down when a failure is a 500 instead of the friendly 503', () => {
    const failed = purchase({ key: 'k', status: 500, errorCode: 'INTERNAL', errorMessage: 'x' });
    const result = judge(evidence('logic-down', [failed], steady));
    assert.equal(result.verdict, 'fail');
    assert.ok(result.checks.some((c) => c.name === 'failures only as friendly 503' && !c.ok));
  });

  it('fails logic-down when the catalog was never served stale during the fault', () => {
    const catalog = purchase({ key: 'c', kind: 'catalog', status: 200, stale: false });
    const result = judge(evidence('logic-down', [catalog], steady));
    assert.ok(result.checks.some((c) => c.name === 'catalog always served' && !c.ok));
  });

  it('fails a scenario whose frontend restarted, or whose success rate is under threshold', () => {
    const restarted = { ...evidence('flaky-logic', [], steady), frontendAfter: 'pid 2' };
    assert.equal(judge(restarted).verdict, 'fail');
    const ops = [...steady, ...Array.from({ length: 50 }, () => op({ ok: false }))];
    const low = judge(evidence('flaky-logic', [], ops));
    assert.ok(low.checks.some((c) => c.name.startsWith('user success') && !c.ok));
  });

  it('passes a clean scenario', () => {
    assert.equal(judge(evidence('replica-kill', [], steady)).verdict, 'pass');
  });

  it('accepts the friendly message and rejects internals', () => {
    assert.ok(isFriendlyMessage('The ticket service is busy right now. Please try again.'));
    assert.ok(!isFriendlyMessage('Error: connect ECONNREFUSED 127.0.0.1:8081'));
    assert.ok(!isFriendlyMessage(null));
  });

  it('measures recovery to the last unhealthy operation, and stale reads are not healthy', () => {
    const ops = [
      op({ start: 900, end: 1500, ok: false }),
      op({ kind: 'catalog', start: 1600, end: 1700, stale: true }),
      op({ start: 1800, end: 1900 }),
    ];
    assert.equal(recoverySeconds(ops, 1000), 0.7);
    assert.equal(recoverySeconds(ops.slice(0, 2), 1000), null);
  });

  it('takes nearest-rank percentiles', () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([...Array(100).keys()], 99), 98);
    assert.equal(percentile([], 50), null);
  });

  it('exits 0 only when every scenario passed, 2 when some were skipped and none failed', () => {
    const report = (verdicts: ('pass' | 'fail' | 'skipped')[]) =>
      ({ scenarios: verdicts.map((verdict) => ({ verdict })) }) as Parameters<
        typeof exitCodeFor
      >[0];
    assert.equal(exitCodeFor(report(['pass', 'pass'])), 0);
    assert.equal(exitCodeFor(report(['pass', 'skipped'])), 2);
    assert.equal(exitCodeFor(report(['skipped', 'fail'])), 1);
  });
});
