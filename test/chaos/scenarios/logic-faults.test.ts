// The proofs of the faults logic injects: logic's own count is matched against what the
// frontend (its metrics) and the buyers (their records) saw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zeroFaultCounts } from '../../../src/chaos/core/model.ts';
import { FAULT_MATCH, matchesInjected } from '../../../src/chaos/scenarios/footprint.ts';
import {
  lostResponsesProof,
  retriedFaultsProof,
  timedOutRetriedProof,
} from '../../../src/chaos/scenarios/logic-faults.ts';
import {
  ATTEMPT_TIMEOUT_MS,
  allEvidence,
  failedNames,
  frontend,
  frontendSaw,
  proofInput,
} from '../support/proof-input.ts';
import { purchase } from '../support/records.ts';

const injected = (mode: 'before' | 'after-commit' | 'delay', orders: number) => {
  const counts = zeroFaultCounts();
  counts[mode].orders = orders;
  return counts;
};

describe('matching what the frontend saw against what logic says it injected', () => {
  it(`allows ±max(${FAULT_MATCH.slack}, ${FAULT_MATCH.share * 100} %), and never zero seen`, () => {
    assert.ok(matchesInjected(30, 30));
    assert.ok(matchesInjected(100, 125) && !matchesInjected(100, 126 + 10));
    assert.ok(matchesInjected(3, 8) && !matchesInjected(2, 8));
    assert.ok(!matchesInjected(0, 4), 'nothing seen is never a match, however few injected');
  });
});

describe('flaky-logic proof', () => {
  const honest = {
    injected: injected('before', 30),
    ...frontendSaw(frontend(30, 0, 38)),
  };

  it('passes when the frontend saw as many 500s on orders as logic injected, and retried', () => {
    assert.deepEqual(failedNames(retriedFaultsProof(proofInput({ observed: honest }))), []);
  });

  it('catches a fault logic counts but serves normally: the frontend saw no 500s (inconclusive)', () => {
    const checks = retriedFaultsProof(
      proofInput({ observed: { ...honest, ...frontendSaw(frontend(0, 0, 0)) } }),
    );
    assert.deepEqual(failedNames(checks), [
      'the frontend saw the 500s logic says it injected',
      'the frontend retried the failed attempts',
    ]);
    assert.ok(allEvidence(checks));
  });

  it('catches a fault never drawn at all: logic counted none', () => {
    const checks = retriedFaultsProof(
      proofInput({ observed: { ...honest, injected: zeroFaultCounts() } }),
    );
    assert.ok(failedNames(checks).includes('logic says it injected 500s on orders'));
  });

  it('is inconclusive when the frontend metrics could not be read', () => {
    const checks = retriedFaultsProof(proofInput({ observed: { injected: honest.injected } }));
    const check = checks.find((c) => c.name === 'the frontend saw the 500s logic says it injected');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', /could not be read/);
  });
});

describe('lost-responses proof', () => {
  const replayed = purchase({ key: 'k', orderId: 'o1', status: 200, replayed: true });
  const honest = { injected: injected('after-commit', 18), ...frontendSaw(frontend(19)) };

  it('passes when the frontend saw the failed answers and a buyer saw a replayed order', () => {
    const checks = lostResponsesProof(proofInput({ observed: honest, requests: [replayed] }));
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches an answer counted as lost but delivered: the frontend saw no failures', () => {
    const checks = lostResponsesProof(
      proofInput({ observed: { ...honest, ...frontendSaw(frontend(0)) }, requests: [replayed] }),
    );
    assert.deepEqual(failedNames(checks), [
      'the frontend saw the failed answers logic says it injected',
    ]);
    assert.ok(allEvidence(checks));
  });

  it('catches lost answers no buyer ever saw again (no replay, no order found)', () => {
    const checks = lostResponsesProof(proofInput({ observed: honest }));
    assert.deepEqual(failedNames(checks), ['a lost answer was replayed or its order found']);
  });
});

describe('slow-logic proof', () => {
  const latency = ATTEMPT_TIMEOUT_MS + 1000;
  const slowConfirmed = purchase({ key: 's', orderId: 'o1', start: 0, end: 2500 });
  const honest = {
    injected: injected('delay', 8),
    injectedLatencyMs: latency,
    ...frontendSaw(frontend(0, 8, 9)),
  };

  it('passes when the frontend timed out the delayed attempts and buyers saw slow confirmations', () => {
    const checks = timedOutRetriedProof(
      proofInput({ observed: honest, requests: [slowConfirmed] }),
    );
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches latency counted but never applied: no attempt timed out at the frontend', () => {
    const fast = purchase({ key: 'f', orderId: 'o2', start: 0, end: 40 });
    const checks = timedOutRetriedProof(
      proofInput({ observed: { ...honest, ...frontendSaw(frontend(0, 0, 0)) }, requests: [fast] }),
    );
    assert.deepEqual(failedNames(checks), [
      'the frontend saw the delays (as attempt timeouts) logic says it injected',
      'buyers saw purchases held past the attempt timeout, then confirmed',
    ]);
    assert.ok(allEvidence(checks));
  });

  it('catches a delay below the attempt timeout: buyers saw no purchase held past it', () => {
    const quick = purchase({ key: 'q', orderId: 'o3', start: 0, end: ATTEMPT_TIMEOUT_MS - 1 });
    const checks = timedOutRetriedProof(proofInput({ observed: honest, requests: [quick] }));
    assert.deepEqual(failedNames(checks), [
      'buyers saw purchases held past the attempt timeout, then confirmed',
    ]);
  });
});
