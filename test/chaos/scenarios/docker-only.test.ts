// The proofs of the container-only scenarios: Docker's view of the container and who answered
// the buyers, on crafted records (the real runs are in test/containers/chaos.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeEvidence } from '../../../src/chaos/core/evidence.ts';
import { checkInvariants } from '../../../src/chaos/core/invariants.ts';
import type {
  ContainerView,
  Observations,
  Phase,
  RequestRecord,
} from '../../../src/chaos/core/model.ts';
import {
  DB_FREEZE,
  heldByFreeze,
  REPLICA_FREEZE,
  REPLICA_PARTITION,
} from '../../../src/chaos/scenarios/docker-only.ts';
import { findScenario } from '../../../src/chaos/scenarios/index.ts';
import type { ScenarioContext } from '../../../src/chaos/scenarios/scenario.ts';
import { judge } from '../../../src/chaos/verdict.ts';
import { allEvidence, failedNames, proofInput, replica } from '../support/proof-input.ts';
import { audit, purchase } from '../support/records.ts';

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
  const o = (during: ContainerView, afterPid = 42, probedDuring = false): Observations => ({
    container: {
      name: 'pg',
      bootId: undefined,
      before: during,
      during,
      after: view('running', ['n'], afterPid),
      from: FROM,
      to: TO,
    },
    database: { duringFault: probedDuring, afterRestore: true },
    ordersBeforeKill: ['a'],
    ordersAfterRestore: ['a'],
  });
  /** A purchase sent early in the freeze and answered only once it thawed: a slow success. */
  const held = answer('logic-1', FROM + 200);
  held.end = TO + 40;
  const quick = [answer('logic-1', FROM + 100), answer('logic-2', FROM + 300)];

  it('passes when paused, then the same process, probed silent then up, buyers held, orders kept', () => {
    const checks = DB_FREEZE.proof(
      proofInput({ observed: o(view('paused')), requests: [...quick, held] }),
    );
    assert.deepEqual(failedNames(checks), []);
  });

  it('counts a friendly 503 in the freeze as felt, as well as a wait', () => {
    const unavailable = answer('logic-1', TO - 100);
    Object.assign(unavailable, { status: 503, orderId: null, errorCode: 'SERVICE_UNAVAILABLE' });
    assert.deepEqual(heldByFreeze([...quick, unavailable], FROM, TO), { unavailable: 1, held: 0 });
  });

  it('is inconclusive on a freeze that never happened: running, probe answered, nobody waited', () => {
    // Quick answers only; one sent just before the end of the window ends after it, as any
    // request in flight would: not a wait.
    const late = answer('logic-1', TO - 20);
    const checks = DB_FREEZE.proof(
      proofInput({ observed: o(view('running'), 42, true), requests: [...quick, late] }),
    );
    assert.deepEqual(failedNames(checks), [
      'Docker showed postgres paused',
      'the runner’s probe got no answer during the freeze and one after the thaw',
      'buyers felt the freeze: answered 503, or held until the thaw',
    ]);
    assert.ok(allEvidence(checks), 'inconclusive, not failed');
  });

  it('is inconclusive, not failed, when no freeze ran at all (--without-fault)', () => {
    const checks = DB_FREEZE.proof(proofInput({ observed: {}, requests: quick }));
    assert.ok(failedNames(checks).length > 0);
    assert.ok(allEvidence(checks), 'inconclusive, not failed');
  });

  it('catches a restart in place of a freeze (a new pid)', () => {
    const checks = DB_FREEZE.proof(
      proofInput({ observed: o(view('paused'), 43), requests: [held] }),
    );
    assert.deepEqual(failedNames(checks), [
      'the same postgres process after (container id and pid kept)',
    ]);
  });

  it('fails when an order present before the freeze is gone after it', () => {
    const observed = { ...o(view('paused')), ordersBeforeKill: ['a', 'b'] };
    const checks = DB_FREEZE.proof(proofInput({ observed, requests: [held] }));
    assert.deepEqual(failedNames(checks), ['orders kept across the freeze']);
    assert.ok(!allEvidence(checks), 'a correctness failure, not inconclusive');
  });
});

describe('db-freeze verdict', () => {
  /** The run as the judge sees it: purchases confirmed before and after, then `fault`. */
  function judged(fault: RequestRecord[]) {
    const confirmed = (phase: Phase, at: number) =>
      Array.from({ length: 3 }, (_, i) =>
        purchase({ key: `${phase}${i}`, orderId: `${phase}${i}`, phase, start: at, end: at + 9 }),
      );
    const requests = [...confirmed('before', 500), ...fault, ...confirmed('after', 5500)];
    const operations = requests.map((r) => ({
      id: r.operation,
      scenario: 'db-freeze',
      phase: r.phase,
      kind: r.kind,
      start: r.start,
      end: r.end,
      ok: r.status >= 200 && r.status < 300,
      finalStatus: r.status,
      finalCode: r.errorCode,
      stale: r.stale === true,
      requests: 1,
    }));
    const scenario = findScenario('db-freeze');
    assert.ok(scenario);
    return judge({
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
        stock: { prefix: 's-', large: [], small: [] },
        audit: audit(10, []),
        fault: { start: FROM, end: TO },
        t0: 0,
        faultCounts: {},
      }),
      proofChecks: [],
      minPurchases: 3,
    });
  }
  const failing = (r: ReturnType<typeof judged>) =>
    r.checks.filter((c) => !c.ok).map((c) => c.name);
  /** A catalog read that waited out the freeze and was answered fresh. */
  const slowCatalog = purchase({ key: 'c', kind: 'catalog', status: 200, stale: false });
  Object.assign(slowCatalog, { start: FROM + 100, end: TO + 30, quantity: null });

  it('passes slow successes: no 503 and no stale read are required of a freeze', () => {
    const slow = answer('logic-1', FROM + 100);
    slow.end = TO + 20;
    assert.deepEqual(failing(judged([slow, slowCatalog])), []);
  });

  it('fails a request left without an answer: waits are bounded by the frontend deadline', () => {
    const hung = answer('logic-1', FROM + 100);
    Object.assign(hung, { status: 0, orderId: null, errorCode: 'TIMEOUT', end: TO + 9000 });
    const result = judged([hung, slowCatalog]);
    assert.equal(result.verdict, 'fail');
    assert.deepEqual(failing(result), ['failures only as friendly 503']);
  });

  it('fails a catalog read that was not served', () => {
    const broken = { ...slowCatalog, status: 500, errorCode: 'INTERNAL' };
    assert.ok(failing(judged([broken])).includes('catalog always served'));
  });
});

describe('a replica fault waits until the buyers have seen that replica serve', () => {
  // Behind Docker's DNS alias, the frontend's keep-alive connections can all sit on the other
  // replica: freezing one that served nobody would test nothing (one fresh shop in five, seen).
  for (const [scenario, control] of [
    [REPLICA_FREEZE, 'freezeReplica'],
    [REPLICA_PARTITION, 'partitionReplica'],
  ] as const) {
    it(`${scenario.name}: goes in only once logic-2 has answered 3 purchases`, async () => {
      const asked: string[] = [];
      let answered = 0;
      const fault = {
        name: 'logic-2',
        inject: async () => view('paused'),
        undo: async () => ({ seconds: 0, after: view('running') }),
      };
      const context = {
        target: { controls: { [control]: fault } },
        purchasesAnsweredBy: (name: string) => {
          asked.push(name);
          return answered++;
        },
      } as unknown as ScenarioContext;
      await scenario.ready?.(context);
      assert.ok(asked.every((name) => name === 'logic-2'));
      assert.equal(answered, 4, 'asked until the count reached 3');
    });
  }
});
