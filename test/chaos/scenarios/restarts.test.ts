// The proofs of the scenarios that kill, restart or stop logic: the identities each replica
// reports (boot ids), as the runner read them and as the buyers were answered by them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observations, Phase } from '../../../src/chaos/core/model.ts';
import { killedReplicaProof, replacedChecks } from '../../../src/chaos/scenarios/restarts.ts';
import { allEvidence, failedNames, proofInput, replica } from '../support/proof-input.ts';
import { purchase } from '../support/records.ts';

const KILLED_AT = 1000;
const answer = (servedBy: string, servedBoot: string, start: number, phase: Phase = 'fault') =>
  purchase({
    key: `k${start}-${servedBy}`,
    orderId: `o${start}`,
    servedBy,
    servedBoot,
    start,
    phase,
  });

describe('replica-kill proof', () => {
  const observed: Observations = {
    replicasBefore: [replica('logic-1', 'old1'), replica('logic-2', 'b2')],
    replicasAfter: [replica('logic-1', 'new1'), replica('logic-2', 'b2')],
    kill: { replica: 'logic-1', bootId: 'old1', killedAt: KILLED_AT, restoreStartedAt: 5000 },
  };
  const honest = [
    answer('logic-1', 'old1', 500, 'before'),
    answer('logic-2', 'b2', 2000),
    answer('logic-1', 'new1', 6000),
  ];

  it('passes when the killed process served before the kill, never after, and came back new', () => {
    const checks = killedReplicaProof(proofInput({ observed, requests: honest }));
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches a kill that never happens: the "killed" process still answered buyers', () => {
    const stillServing = [...honest, answer('logic-1', 'old1', 2500)];
    const checks = killedReplicaProof(proofInput({ observed, requests: stillServing }));
    assert.deepEqual(failedNames(checks), ['the killed process answered no buyer after the kill']);
    assert.ok(allEvidence(checks));
  });

  it('catches a kill and restore that left the same process (its boot id after the restore)', () => {
    const same = { ...observed, replicasAfter: observed.replicasBefore ?? [] };
    const checks = killedReplicaProof(proofInput({ observed: same, requests: honest }));
    assert.deepEqual(failedNames(checks), ['the killed replica came back as a new process']);
  });

  it('catches buyers that never saw boot ids (the header not relayed): nothing proves the kill', () => {
    const blind = honest.map((r) => ({ ...r, servedBoot: null }));
    const checks = killedReplicaProof(proofInput({ observed, requests: blind }));
    assert.ok(failedNames(checks).includes('the killed process had served buyers'));
  });

  it('catches a fault during which no other replica confirmed a purchase', () => {
    const onlyKilled = honest.filter((r) => r.servedBy === 'logic-1');
    const checks = killedReplicaProof(proofInput({ observed, requests: onlyKilled }));
    assert.deepEqual(failedNames(checks), [
      'the other replicas confirmed purchases during the fault',
    ]);
  });
});

describe('rolling-restart and logic-down proof (every replica replaced)', () => {
  const observed: Observations = {
    replicasBefore: [replica('logic-1', 'a1'), replica('logic-2', 'a2')],
    replicasAfter: [replica('logic-1', 'b1'), replica('logic-2', 'b2')],
  };
  const served = [answer('logic-1', 'b1', 100), answer('logic-2', 'b2', 200)];

  it('passes when every boot id changed and buyers were answered by each new process', () => {
    const checks = replacedChecks(proofInput({ observed, requests: served }), 'replaced');
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches a rolling restart that restarts nothing (same boot ids after)', () => {
    const nothing = { ...observed, replicasAfter: observed.replicasBefore ?? [] };
    const requests = [answer('logic-1', 'a1', 100), answer('logic-2', 'a2', 200)];
    const checks = replacedChecks(proofInput({ observed: nothing, requests }), 'replaced');
    assert.deepEqual(failedNames(checks), [
      'every logic replica was replaced (new boot ids on /healthz)',
    ]);
    assert.ok(allEvidence(checks));
  });

  it('catches a restart that replaced one replica of two', () => {
    const half = {
      ...observed,
      replicasAfter: [replica('logic-1', 'b1'), replica('logic-2', 'a2')],
    };
    const checks = replacedChecks(proofInput({ observed: half, requests: served }), 'replaced');
    assert.ok(
      failedNames(checks).includes('every logic replica was replaced (new boot ids on /healthz)'),
    );
  });

  it('catches a replica that came back but never answered a buyer', () => {
    const checks = replacedChecks(
      proofInput({ observed, requests: served.slice(0, 1) }),
      'replaced',
    );
    assert.deepEqual(failedNames(checks), [
      'buyers were answered by every new process (x-boot-id)',
    ]);
  });
});
