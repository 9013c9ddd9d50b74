import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frontendKilledProof, networkPolicyProof } from '../../../src/chaos/scenarios/kind-only.ts';
import { allEvidence, failedNames, proofInput } from '../support/proof-input.ts';

describe('frontend-kill proof', () => {
  it('passes when a frontend pod was deleted and its replacement was ready', () => {
    const observed = { killedFrontend: 'flame-frontend-a', replacementReadySeconds: 4 };
    assert.deepEqual(failedNames(frontendKilledProof(proofInput({ observed }))), []);
  });

  it('catches a kill that deleted nothing (no pod named, no replacement waited for)', () => {
    const checks = frontendKilledProof(proofInput({ observed: {} }));
    assert.deepEqual(failedNames(checks), ['a frontend pod was deleted and replaced']);
    assert.ok(allEvidence(checks));
  });
});

describe('network-policy proof', () => {
  const probe = (seen: 'blocked' | 'reachable') => ({
    from: 'probe pod',
    to: 'logic :8081',
    expected: 'blocked' as const,
    seen,
    detail: '',
  });

  it('passes when every connection was blocked or reachable as expected', () => {
    const checks = networkPolicyProof(proofInput({ observed: { probes: [probe('blocked')] } }));
    assert.deepEqual(failedNames(checks), []);
  });

  it('fails when a connection the policy should block got through', () => {
    const checks = networkPolicyProof(proofInput({ observed: { probes: [probe('reachable')] } }));
    assert.deepEqual(failedNames(checks), ['probe pod → logic :8081 blocked']);
    assert.equal(allEvidence(checks), false);
  });

  it('is inconclusive when the probe tried nothing', () => {
    const checks = networkPolicyProof(proofInput({ observed: { probes: [] } }));
    assert.deepEqual(failedNames(checks), ['the probe tried its connections']);
    assert.ok(allEvidence(checks));
  });
});
