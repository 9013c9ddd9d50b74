import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeEvidence } from '../../src/chaos/core/evidence.ts';
import { checkInvariants } from '../../src/chaos/core/invariants.ts';
import type { OperationRecord, RequestRecord } from '../../src/chaos/core/model.ts';
import { percentile, recoverySeconds } from '../../src/chaos/core/statistics.ts';
import { exitCodeFor } from '../../src/chaos/run-chaos.ts';
import { findScenario } from '../../src/chaos/scenarios/index.ts';
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

const MIN = 3;
/** The fault window of the crafted scenarios, in the log's clock. */
const FAULT = { start: 1000, end: 2000 };
const SMALL = {
  id: 's-small-1',
  name: 'small',
  venue: 'v',
  startsAt: '',
  priceCents: 1,
  capacity: 2,
};

/** `count` purchases confirmed in `phase`, each its own key; ends inside the phase's window. */
function confirmed(phase: 'before' | 'fault' | 'after', count: number, eventId = 's-large-1') {
  const at = { before: 500, fault: 1500, after: 2500 }[phase];
  return Array.from({ length: count }, (_, i) =>
    purchase({
      key: `${phase}-${eventId}-${i}`,
      phase,
      orderId: `${phase}-${eventId}-${i}`,
      eventId,
      start: at,
      end: at + 10,
    }),
  );
}

/** The small event sold out in the fault: its two seats confirmed, then a buyer turned away. */
const smallSoldOut = [
  ...confirmed('fault', 2, SMALL.id),
  purchase({
    key: 'late',
    phase: 'fault',
    status: 409,
    errorCode: 'SOLD_OUT',
    eventId: SMALL.id,
    start: 1600,
    end: 1610,
  }),
];

function evidence(
  name: string,
  requests: RequestRecord[],
  operations: OperationRecord[],
): Evidence {
  const scenario = findScenario(name);
  assert.ok(scenario);
  const state = audit(10, []);
  state.events.push({
    id: SMALL.id,
    capacity: 2,
    available: requests.some((r) => r.eventId === SMALL.id && r.orderId) ? 0 : 2,
    orderedQuantity: 0,
    orderCount: 0,
  });
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
    stepErrors: [],
    summary: summarizeEvidence({
      requests,
      stock: { prefix: 's-', large: [], small: [SMALL] },
      audit: state,
      fault: FAULT,
      t0: 0,
      faultCounts: {},
    }),
    proofChecks: [],
    minPurchases: MIN,
  };
}

const steady = [op({ phase: 'before' }), op({ phase: 'fault' }), op({ phase: 'after' })];
/** Purchases a scenario that buys during its fault needs to be conclusive. */
const tested = [...confirmed('before', MIN), ...confirmed('fault', MIN), ...smallSoldOut];

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

  it('does not hold a frontend restart against frontend-kill, which restarts it on purpose', () => {
    const killed = { ...evidence('frontend-kill', tested, steady), frontendAfter: 'pid 2' };
    assert.ok(!judge(killed).checks.some((c) => c.name === 'frontend never restarted'));
  });

  it('fails a scenario whose frontend restarted, or whose success rate is under threshold', () => {
    const restarted = { ...evidence('flaky-logic', tested, steady), frontendAfter: 'pid 2' };
    assert.equal(judge(restarted).verdict, 'fail');
    const ops = [...steady, ...Array.from({ length: 50 }, () => op({ ok: false }))];
    const low = judge(evidence('flaky-logic', tested, ops));
    assert.ok(low.checks.some((c) => c.name.startsWith('user success') && !c.ok));
  });

  it('passes a clean scenario that confirmed purchases and sold out a small event in its fault', () => {
    const result = judge(evidence('flaky-logic', tested, steady));
    assert.equal(result.verdict, 'pass', JSON.stringify(result.checks.filter((c) => !c.ok)));
  });

  // A scenario that placed no order during its fault tested nothing.
  it('calls a scenario with zero purchases confirmed in its fault inconclusive, and the run fails', () => {
    const none = [...confirmed('before', 10), ...confirmed('after', 10)];
    const result = judge(evidence('flaky-logic', none, steady));
    assert.equal(result.verdict, 'inconclusive');
    const check = result.checks.find((c) =>
      c.name.includes('purchases confirmed during the fault'),
    );
    assert.equal(check?.ok, false);
    assert.equal(check?.evidence, true);
    const report = { scenarios: [{ verdict: result.verdict }] } as Parameters<
      typeof exitCodeFor
    >[0];
    assert.equal(exitCodeFor(report), 1);
  });

  it('counts neither sold-out answers nor catalog reads as purchases', () => {
    const busy = [
      ...confirmed('before', MIN),
      ...smallSoldOut.filter((r) => r.status === 409),
      ...Array.from({ length: 50 }, (_, i) =>
        purchase({ key: `so-${i}`, phase: 'fault', status: 409, errorCode: 'SOLD_OUT' }),
      ),
      ...Array.from({ length: 50 }, (_, i) =>
        purchase({ key: `c-${i}`, kind: 'catalog', phase: 'fault', status: 200, stale: false }),
      ),
    ];
    assert.equal(judge(evidence('flaky-logic', busy, steady)).verdict, 'inconclusive');
  });

  it('calls a scenario inconclusive when no small event sold out during its fault', () => {
    const result = judge(evidence('flaky-logic', [...confirmed('fault', MIN)], steady));
    assert.equal(result.verdict, 'inconclusive');
    assert.ok(result.checks.some((c) => c.name.startsWith('a small event sold out') && !c.ok));
  });

  it('fails rather than calls inconclusive when a correctness check failed too', () => {
    const result = judge({ ...evidence('flaky-logic', [], steady), frontendAfter: 'pid 2' });
    assert.equal(result.verdict, 'fail');
  });

  it('asks logic-down for purchases before and after, and a 503 during', () => {
    const down = purchase({
      key: 'd',
      phase: 'fault',
      status: 503,
      errorCode: 'SERVICE_UNAVAILABLE',
      retryAfter: '1',
      errorMessage: 'The ticket service is busy right now. Please try again in a few seconds.',
    });
    const stale = purchase({ key: 'c', kind: 'catalog', phase: 'fault', status: 200, stale: true });
    const around = [...confirmed('before', MIN), ...confirmed('after', MIN)];
    assert.equal(judge(evidence('logic-down', [...around, down, stale], steady)).verdict, 'pass');
    assert.equal(judge(evidence('logic-down', [...around, stale], steady)).verdict, 'inconclusive');
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
    const report = (verdicts: ('pass' | 'fail' | 'inconclusive' | 'skipped')[]) =>
      ({ scenarios: verdicts.map((verdict) => ({ verdict })) }) as Parameters<
        typeof exitCodeFor
      >[0];
    assert.equal(exitCodeFor(report(['pass', 'pass'])), 0);
    assert.equal(exitCodeFor(report(['pass', 'skipped'])), 2);
    assert.equal(exitCodeFor(report(['skipped', 'fail'])), 1);
    assert.equal(exitCodeFor(report(['pass', 'inconclusive', 'skipped'])), 1);
  });
});
