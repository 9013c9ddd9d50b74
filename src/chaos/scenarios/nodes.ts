// Scenarios that take a whole worker node away on kind, through the Docker engine that runs
// kind's node containers: frozen, lost, or cut off the network. The cluster must notice
// (kubectl: not Ready), replace the node's pods on the other worker, and the buyers must keep
// buying through that worker meanwhile; the node is then given back and must be Ready again.
import { type Check, confirmsOrder, evidenceCheck, type ProofInput } from '../core/model.ts';
import type { NodeFault } from '../targets/target.ts';
import { purchasesInFault } from './footprint.ts';
import { KIND_ONLY, type Scenario } from './scenario.ts';

/**
 * What the buyers and kubectl saw: the node went not Ready; its logic pod had answered buyers
 * and answered none once the node was taken; purchases were confirmed meanwhile by replicas
 * elsewhere; new pods replaced its logic pod (kubectl) and answered buyers (x-served-by); the
 * node came back Ready.
 */
export function nodeProof({ requests, observed }: ProofInput): Check[] {
  const node = observed.node;
  const onNode = new Set(node?.logicPods ?? []);
  const takenAt = node?.takenAt ?? Number.POSITIVE_INFINITY;
  const answeredByNode = requests.filter(
    (r) => r.status > 0 && r.servedBy && onNode.has(r.servedBy),
  );
  const before = answeredByNode.filter((r) => r.start < takenAt).length;
  const after = answeredByNode.filter((r) => r.start >= takenAt).length;
  const elsewhere = new Set(
    purchasesInFault(requests)
      .filter((r) => confirmsOrder(r) && r.servedBy && !onNode.has(r.servedBy))
      .map((r) => r.servedBy),
  );
  const replacements = node?.replacementPods ?? [];
  const servedNew = replacements.filter((name) =>
    requests.some((r) => r.status > 0 && r.servedBy === name),
  );
  const name = node ? `${node.node} (${node.fault})` : '(no node taken)';
  return [
    evidenceCheck(
      'kubectl saw the node turn not Ready',
      node !== undefined && Number.isFinite(node.notReadySeconds),
      `${name}: not Ready ${node?.notReadySeconds ?? '—'} s after the Docker action`,
    ),
    evidenceCheck(
      'its logic pod had answered buyers before (x-served-by)',
      before > 0,
      `${before} answers from ${[...onNode].join(', ') || '(no logic pod on it)'} before it was taken`,
    ),
    evidenceCheck(
      'its logic pod answered no buyer once the node was taken',
      node !== undefined && onNode.size > 0 && after === 0,
      `${after} requests sent after it was taken were answered by ${[...onNode].join(', ') || '—'}`,
    ),
    evidenceCheck(
      'buyers kept buying through the other node',
      elsewhere.size > 0,
      elsewhere.size > 0 ? `purchases confirmed by ${[...elsewhere].sort().join(', ')}` : 'none',
    ),
    evidenceCheck(
      'new logic pods replaced the node’s and answered buyers',
      replacements.length >= onNode.size && onNode.size > 0 && servedNew.length > 0,
      `replacements Ready ${node?.replacedSeconds ?? '—'} s after the node was taken: ${replacements.join(', ') || 'none'}; answered buyers (x-served-by): ${servedNew.join(', ') || 'none'}`,
    ),
    {
      name: 'the node came back Ready',
      ok: node?.nodeReadySeconds !== undefined,
      detail: `Ready ${node?.nodeReadySeconds ?? '—'} s after it was given back`,
    },
  ];
}

function nodeScenario(fault: NodeFault, summary: string): Scenario {
  return {
    name: `node-${fault}`,
    summary,
    targets: KIND_ONLY,
    needs: 'nodes',
    // The frontend pod on the node is replaced too, like its logic pod.
    restartsFrontend: true,
    // Until the node controller marks the node (40-50 s), kube-proxy still sends a share of
    // new connections to its silent pods: the buyers' own retries carry them (docs/KIND.md).
    threshold: { kind: 'successRate', min: 0.9 },
    buysDuringFault: true,
    async inject(c) {
      const nodes = c.target.controls.nodes;
      if (!nodes) throw new Error('this target cannot take a node away');
      c.observed.replicasBefore = await c.target.logicIdentities();
      const taken = await nodes.take(fault);
      // take() returns once the node is not Ready, notReadySeconds after its Docker action
      // returned: from then on nothing on the node could answer.
      const takenAt = c.now() - taken.notReadySeconds * 1000;
      c.observed.node = { ...taken, takenAt };
    },
    async rollback(c) {
      const nodes = c.target.controls.nodes;
      if (!nodes || !c.observed.node) return;
      const back = await nodes.giveBack();
      c.observed.node = { ...c.observed.node, ...back };
      c.observed.replicasAfter = await c.target.logicIdentities();
    },
    proof: nodeProof,
  };
}

export const NODE_FREEZE = nodeScenario(
  'freeze',
  'a worker node frozen (docker pause): its pods alive but silent, then thawed',
);
export const NODE_LOSS = nodeScenario(
  'loss',
  'a worker node lost (docker stop, no grace), then started again',
);
export const NODE_PARTITION = nodeScenario(
  'partition',
  "a worker node cut off kind's network (docker network disconnect), then reconnected",
);
