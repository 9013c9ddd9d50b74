// The proofs of the container-only scenarios: Docker's view of the container and who answered
// the buyers, on crafted records (the real runs are in test/containers/chaos.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerView, Observations, Phase } from '../../../src/chaos/model.ts';
import {
  DB_FREEZE,
  REPLICA_FREEZE,
  REPLICA_PARTITION,
} from '../../../src/chaos/scenarios/docker-only.ts';
import { allEvidence, failedNames, proofInput, replica } from '../support/proof-input.ts';
import { purchase } from '../support/records.ts';

const FROM = 1000;
const TO = 5000;
const view = (status: string, networks = ['shop-net'], pid = 42): ContainerView => ({
  name: 'logic-2',
  id: 'c0ffee',
  status,
  pid,
  startedAt: '2026-01-01T00:00:00Z',
  networks,
});
const answer = (servedBy: string, start: number, phase: Phase = 'fault') =>
  purchase({
    key: `k${start}-${servedBy}`,
    orderId: `o${start}`,
    servedBy,
    start,
    end: start + 50,
    phase,
  });

function observed(during: ContainerView): Observations {
  return {
    replicasBefore: [replica('logic-1', 'b1'), replica('logic-2', 'b2')],
    replicasAfter: [replica('logic-1', 'b1'), replica('logic-2', 'b2')],
    container: {
      name: 'logic-2',
      bootId: 'b2',
      before: during,
      during,
      after: view('running'),
      from: FROM,
      to: TO,
    },
  };
}
const honest = [answer('logic-2', 500, 'before'), answer('logic-1', 2000), answer('logic-1', 3000)];

describe('replica-freeze proof', () => {
  it('passes when Docker showed it paused, it served before, none during, and is the same process after', () => {
    const checks = REPLICA_FREEZE.proof(
      proofInput({ observed: observed(view('paused')), requests: honest }),
    );
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches a pause that never took: Docker says running and the replica kept answering', () => {
    const requests = [...honest, answer('logic-2', 2500)];
    const checks = REPLICA_FREEZE.proof(
      proofInput({ observed: observed(view('running')), requests }),
    );
    assert.deepEqual(failedNames(checks), [
      'Docker showed the replica paused',
      'the replica answered no purchase while it held',
    ]);
    assert.ok(allEvidence(checks), 'inconclusive, not failed');
  });

  it('catches a restart in place of a freeze: a new boot id after', () => {
    const o = observed(view('paused'));
    o.replicasAfter = [replica('logic-1', 'b1'), replica('logic-2', 'new')];
    const checks = REPLICA_FREEZE.proof(proofInput({ observed: o, requests: honest }));
    assert.deepEqual(failedNames(checks), [
      'the same process after: not restarted (container id and boot id kept)',
    ]);
  });

  it('is inconclusive when the replica never served: its silence proves nothing', () => {
    const requests = honest.filter((r) => r.servedBy !== 'logic-2');
    const checks = REPLICA_FREEZE.proof(
      proofInput({ observed: observed(view('paused')), requests }),
    );
    assert.deepEqual(failedNames(checks), ['the replica had answered purchases before the fault']);
  });
});

describe('replica-partition proof', () => {
  it('passes when Docker showed it running on no network', () => {
    const checks = REPLICA_PARTITION.proof(
      proofInput({ observed: observed(view('running', [])), requests: honest }),
    );
    assert.deepEqual(failedNames(checks), []);
  });

  it('catches a disconnect that never happened: still on its network', () => {
    const checks = REPLICA_PARTITION.proof(
      proofInput({ observed: observed(view('running')), requests: honest }),
    );
    assert.deepEqual(failedNames(checks), ['Docker showed the replica running with no network']);
  });
});

describe('db-freeze proof', () => {
  const o = (during: ContainerView, afterPid: number): Observations => ({
    container: {
      name: 'pg',
      bootId: undefined,
      before: during,
      during,
      after: view('running', ['n'], afterPid),
      from: FROM,
      to: TO,
    },
    database: { duringFault: false, afterRestore: true },
    ordersBeforeKill: ['a'],
    ordersAfterRestore: ['a'],
  });

  it('passes when paused, then the same process running, probed down then up, orders kept', () => {
    assert.deepEqual(
      failedNames(DB_FREEZE.proof(proofInput({ observed: o(view('paused'), 42) }))),
      [],
    );
  });

  it('catches a restart in place of a freeze (a new pid)', () => {
    assert.deepEqual(
      failedNames(DB_FREEZE.proof(proofInput({ observed: o(view('paused'), 43) }))),
      ['the same postgres process after (container id and pid kept)'],
    );
  });
});
