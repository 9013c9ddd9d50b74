// The node scenarios' proof (src/chaos/scenarios/nodes.ts) on crafted records: it passes on
// what a real node loss leaves behind, and fails when the node's pod still answered, nothing
// was bought elsewhere, the pods were never replaced, or the node never went not Ready.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_INVARIANTS } from '../../src/chaos/core/invariants.ts';
import type { Observations, RequestRecord } from '../../src/chaos/core/model.ts';
import { NODE_LOSS, nodeProof } from '../../src/chaos/scenarios/nodes.ts';
import { purchase } from './support/records.ts';

const identity = (replica: string) => ({
  replica,
  bootId: `${replica}-boot`,
  pid: 1,
  startedAt: '',
});

const observed = (): Observations => ({
  node: {
    node: 'flame-worker',
    fault: 'loss',
    logicPods: ['logic-a'],
    frontendPods: ['frontend-a'],
    takenAt: 1000,
    notReadySeconds: 42,
    replacedSeconds: 61,
    nodeReadySeconds: 12,
    replacementPods: ['logic-c'],
  },
  replicasBefore: [identity('logic-a'), identity('logic-b')],
  replicasAfter: [identity('logic-b'), identity('logic-c')],
});

const requests = (): RequestRecord[] => [
  purchase({ key: 'k1', phase: 'before', start: 500, servedBy: 'logic-a', orderId: 'o1' }),
  purchase({ key: 'k2', phase: 'fault', start: 1500, servedBy: 'logic-b', orderId: 'o2' }),
  purchase({ key: 'k3', phase: 'after', start: 9000, servedBy: 'logic-c', orderId: 'o3' }),
];

const failed = (obs: Observations, reqs: RequestRecord[]) =>
  nodeProof({ requests: reqs, observed: obs, invariants: EMPTY_INVARIANTS, attemptTimeoutMs: 2000 })
    .filter((c) => !c.ok)
    .map((c) => c.name);

describe('node scenarios: proof from what buyers, kubectl and /healthz saw', () => {
  it('passes on a node that went not Ready, whose pods were replaced while buyers bought elsewhere', () => {
    assert.deepEqual(failed(observed(), requests()), []);
    assert.equal(NODE_LOSS.restartsFrontend, true, 'its frontend pod is replaced too');
    assert.equal(NODE_LOSS.needs, 'nodes');
  });

  it('fails when the node’s logic pod answered a buyer after the node was taken (a fault that did nothing)', () => {
    const reqs = [
      ...requests(),
      purchase({ key: 'k4', phase: 'fault', start: 2000, servedBy: 'logic-a' }),
    ];
    assert.deepEqual(failed(observed(), reqs), [
      'its logic pod answered no buyer once the node was taken',
    ]);
  });

  it('fails when no purchase was confirmed through another node during the fault', () => {
    const reqs = requests().filter((r) => r.phase !== 'fault');
    assert.deepEqual(failed(observed(), reqs), ['buyers kept buying through the other node']);
  });

  it('fails when no new logic pod replaced the node’s, or none answered a buyer', () => {
    const none = observed();
    if (none.node) none.node.replacementPods = [];
    assert.deepEqual(failed(none, requests()), [
      'new logic pods replaced the node’s and answered buyers',
    ]);
    const unseen = requests().filter((r) => r.servedBy !== 'logic-c');
    assert.deepEqual(failed(observed(), unseen), [
      'new logic pods replaced the node’s and answered buyers',
    ]);
  });

  it('fails every evidence check when no node was taken, and when it never came back', () => {
    assert.deepEqual(failed({}, requests()), [
      'kubectl saw the node turn not Ready',
      'its logic pod had answered buyers before (x-served-by)',
      'its logic pod answered no buyer once the node was taken',
      'new logic pods replaced the node’s and answered buyers',
      'the node came back Ready',
    ]);
    const stuck = observed();
    if (stuck.node) delete stuck.node.nodeReadySeconds;
    assert.deepEqual(failed(stuck, requests()), ['the node came back Ready']);
  });
});
