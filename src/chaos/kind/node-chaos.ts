import type { PodSummary } from '../../kube/index.ts';
import type { NodeControl, NodeFault, ReturnedNode, TakenNode } from '../targets/target.ts';
import type { Cluster } from './cluster.ts';
import { LOGIC } from './logic-admin.ts';
import type { NodeFaults } from './node-faults.ts';

const FRONTEND = 'app=flame-frontend';
const POSTGRES = 'app=postgres';
const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export interface NodeSummary {
  name: string;
  ready: boolean;
  controlPlane: boolean;
}

/** The cluster's nodes as kubectl sees them: Ready condition and control-plane role. */
export async function readNodes(cluster: Cluster): Promise<NodeSummary[]> {
  const json = await cluster.run('listing the nodes', ['get', 'nodes', '-o', 'json']);
  const list = JSON.parse(json) as {
    items: {
      metadata: { name: string; labels?: Record<string, string> };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items
    .map((n) => ({
      name: n.metadata.name,
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      controlPlane: n.metadata.labels?.[CONTROL_PLANE_LABEL] !== undefined,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The worker to take away: Ready, not postgres' node (losing that one is a database outage,
 * docs/KIND.md), running a Ready logic pod while another Ready logic pod runs elsewhere, so
 * buyers can keep buying through the other node. Undefined, with the reason, when none fits.
 */
export function chooseNode(
  nodes: readonly NodeSummary[],
  logic: readonly PodSummary[],
  postgres: readonly PodSummary[],
): { node: string } | { reason: string } {
  const databaseNodes = new Set(postgres.map((p) => p.node));
  const readyLogic = logic.filter((p) => p.ready);
  const fits = nodes.find(
    (n) =>
      !n.controlPlane &&
      n.ready &&
      !databaseNodes.has(n.name) &&
      readyLogic.some((p) => p.node === n.name) &&
      readyLogic.some((p) => p.node !== n.name),
  );
  if (fits) return { node: fits.name };
  const where = (pods: readonly PodSummary[]) =>
    pods.map((p) => `${p.name} on ${p.node ?? '(none)'}`).join(', ') || 'none';
  return {
    reason:
      'no worker node runs a Ready logic replica without postgres while another logic replica runs elsewhere ' +
      `(nodes: ${nodes.map((n) => `${n.name}${n.controlPlane ? ' (control plane)' : ''}${n.ready ? '' : ' (not Ready)'}`).join(', ')}; ` +
      `logic: ${where(logic)}; postgres: ${where(postgres)})`,
  };
}

/**
 * Node faults as a scenario sees them: take a worker away through Docker, wait until the
 * cluster notices (kubectl), then wait for the replacements and give the node back.
 */
export class NodeChaos implements NodeControl {
  readonly #cluster: Cluster;
  readonly #faults: NodeFaults;
  readonly #counts: { logic: number; frontend: number };
  #taken:
    | {
        node: string;
        fault: NodeFault;
        since: number;
        logic: PodSummary[];
        frontend: PodSummary[];
        /** Every logic pod there was when the node was taken, wherever it ran. */
        logicBefore: Set<string>;
      }
    | undefined;

  constructor(cluster: Cluster, faults: NodeFaults, counts: { logic: number; frontend: number }) {
    this.#cluster = cluster;
    this.#faults = faults;
    this.#counts = counts;
  }

  async take(fault: NodeFault): Promise<TakenNode> {
    const cluster = this.#cluster;
    const [nodes, logic, frontend, postgres] = await Promise.all([
      readNodes(cluster),
      cluster.pods(LOGIC),
      cluster.pods(FRONTEND),
      cluster.pods(POSTGRES),
    ]);
    const choice = chooseNode(nodes, logic, postgres);
    if ('reason' in choice) throw new Error(choice.reason);
    const { node } = choice;
    const since = Date.now();
    cluster.log(`$ docker (${fault}) ${node}`);
    await this.#faults.inject(node, fault);
    const acted = Date.now();
    const taken = {
      node,
      fault,
      since,
      logic: logic.filter((p) => p.node === node),
      frontend: frontend.filter((p) => p.node === node),
      logicBefore: new Set(logic.map((p) => p.name)),
    };
    this.#taken = taken;
    await cluster.waitFor(`node ${node} to be not Ready`, async () => {
      const seen = (await readNodes(cluster)).find((n) => n.name === node);
      return seen && !seen.ready ? true : undefined;
    });
    return {
      node,
      fault,
      logicPods: taken.logic.map((p) => p.name),
      frontendPods: taken.frontend.map((p) => p.name),
      notReadySeconds: secondsSince(acted),
    };
  }

  /** Waits for the node's pods to be replaced elsewhere, gives the node back, waits for it. */
  async giveBack(): Promise<ReturnedNode> {
    const taken = this.#taken;
    if (!taken) throw new Error('no node was taken');
    const cluster = this.#cluster;
    const gone = (pods: PodSummary[]) => pods.map((p) => p.uid);
    await cluster.waitReady(
      `${this.#counts.logic} Ready logic pods without those of node ${taken.node}`,
      LOGIC,
      this.#counts.logic,
      taken.since,
      gone(taken.logic),
    );
    await cluster.waitReady(
      `${this.#counts.frontend} Ready frontend pods without those of node ${taken.node}`,
      FRONTEND,
      this.#counts.frontend,
      taken.since,
      gone(taken.frontend),
    );
    const replacedSeconds = secondsSince(taken.since);
    const replacementPods = (await cluster.readyPods(LOGIC)).filter(
      (name) => !taken.logicBefore.has(name),
    );
    const back = Date.now();
    cluster.log(`$ docker (undo ${taken.fault}) ${taken.node}`);
    this.#taken = undefined;
    await this.#faults.heal(taken.node, taken.fault);
    await cluster.waitFor(`node ${taken.node} to be Ready again`, async () =>
      (await readNodes(cluster)).find((n) => n.name === taken.node)?.ready ? true : undefined,
    );
    const nodeReadySeconds = secondsSince(back);
    await this.#spreadAgain();
    return { replacedSeconds, nodeReadySeconds, replacementPods };
  }

  /**
   * The replacements all run on the node that stayed, and nothing moves them back by itself:
   * a rolling restart (maxUnavailable 0, so buyers see no gap) lets the spread rule place
   * them over both workers again, ready for the next node scenario.
   */
  async #spreadAgain(): Promise<void> {
    for (const [deployment, selector] of [
      ['flame-logic', LOGIC],
      ['flame-frontend', FRONTEND],
    ] as const) {
      // Ready pods only: the node's old pods may still be listed while they terminate.
      const ready = (await this.#cluster.pods(selector)).filter((p) => p.ready);
      const nodes = new Set(ready.map((p) => p.node));
      if (nodes.size > 1) continue;
      await this.#cluster.run(`spreading ${deployment} over the nodes again`, [
        'rollout',
        'restart',
        `deployment/${deployment}`,
      ]);
      await this.#cluster.run(`waiting for the ${deployment} rollout`, [
        'rollout',
        'status',
        `deployment/${deployment}`,
        `--timeout=${Math.round(this.#cluster.timeoutMs / 1000)}s`,
      ]);
    }
  }

  /** Every node of the cluster running, unpaused and connected (after an interrupt, too). */
  async restore(): Promise<string[]> {
    this.#taken = undefined;
    return restoreNodes(this.#cluster, this.#faults);
  }
}

/** Every node running, unpaused and connected; one line per node it changed. */
export async function restoreNodes(cluster: Cluster, faults: NodeFaults): Promise<string[]> {
  const nodes = await readNodes(cluster);
  return faults.restore(nodes.map((n) => n.name));
}

const secondsSince = (since: number) => Math.round((Date.now() - since) / 10) / 100;
