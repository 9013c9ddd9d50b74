import {
  flameTarget,
  loadSettings,
  readSecretKey,
  SECRET_KEYS,
  SECRET_NAME,
  type Settings,
  waitFor,
} from '../../kube/index.ts';
import type { FaultSettings } from '../../shared/admin-api.ts';
import { answersReady } from '../../shared/wait.ts';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '../env.ts';
import type { ChaosTarget } from '../targets/target.ts';
import { Cluster } from './cluster.ts';
import { KindLogicAdmin, LOGIC } from './logic-admin.ts';
import { readLogicScale, scaleLogic } from './logic-scale.ts';
import { probeNetworkPolicy } from './network-probe.ts';
import { restoreNodes } from './node-chaos.ts';
import { connectNodeControl, kindNodeFaults, type NodeControlChoice } from './node-control.ts';
import type { NodeFaults } from './node-faults.ts';
import { healthChecks, type KindState, logicScaling, podKills } from './pod-actions.ts';
import { restoreCluster } from './restore.ts';

export interface KindConnection {
  target: ChaosTarget;
  attemptTimeoutMs: number;
  context: string;
}

/**
 * The cluster `npm run deploy` made: the shop at http://localhost:8080 (kind port mapping);
 * fault settings, the audit and the stock through a port-forward to any one Ready logic pod,
 * fault counts and identities from each Ready logic pod; the other faults by kubectl (and
 * Docker for the nodes).
 */
export async function connectKindTarget(options: {
  log: (line: string) => void;
  settings?: Settings;
}): Promise<KindConnection> {
  const settings = options.settings ?? loadSettings();
  const cluster = new Cluster(
    flameTarget(settings.kubeContext),
    options.log,
    settings.rolloutTimeoutS * 1000,
  );
  const token = await readSecretKey(cluster.kube, SECRET_NAME, SECRET_KEYS.adminToken);
  // A run interrupted during a node scenario may have left a node paused, stopped or cut off.
  const faults = kindNodeFaults(settings);
  for (const line of await restoreNodesIfAny(cluster, faults)) {
    options.log(`an interrupted run left a node away: ${line}`);
  }
  const logicReplicas = await logicReplicasAfterAnyInterruptedRun(cluster, options.log);
  const frontendReplicas = await cluster.deploymentReplicas('flame-frontend');
  const attemptTimeoutMs = await readAttemptTimeout(cluster);
  await waitFor(
    `the shop at ${settings.url} to answer /readyz`,
    async () => ((await answersReady(`${settings.url}/readyz`)) ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 500, log: options.log },
  );
  const nodes = await connectNodeControl(cluster, faults, {
    logic: logicReplicas,
    frontend: frontendReplicas,
  });
  return {
    context: settings.kubeContext,
    attemptTimeoutMs,
    target: kindTarget({ cluster, settings, token, logicReplicas, frontendReplicas }, nodes),
  };
}

/**
 * The logic replica count to keep. A run interrupted during logic-down leaves logic at zero
 * with the count it had noted on the deployment: scale back to it before anything else.
 */
async function logicReplicasAfterAnyInterruptedRun(
  cluster: Cluster,
  log: (line: string) => void,
): Promise<number> {
  const scale = await readLogicScale(cluster);
  if (scale.replicas >= 1) return scale.replicas;
  if (scale.saved === undefined) {
    throw new Error(
      `deployment/flame-logic has no usable replica count (got ${scale.replicas}) and no count noted by an interrupted run; scale it with kubectl scale deployment/flame-logic --replicas=2`,
    );
  }
  log(`an interrupted run left logic at 0 replicas: scaling back to ${scale.saved}`);
  await scaleLogic(cluster, scale.saved);
  await cluster.waitReady('every logic pod to be Ready', LOGIC, scale.saved, Date.now());
  return scale.saved;
}

async function readAttemptTimeout(cluster: Cluster): Promise<number> {
  const json = await cluster.run('reading the frontend settings', [
    'get',
    'deployment/flame-frontend',
    '-o',
    'json',
  ]);
  const deployment = JSON.parse(json) as {
    spec?: {
      template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } };
    };
  };
  const env = deployment.spec?.template?.spec?.containers?.[0]?.env ?? [];
  const value = Number(env.find((e) => e.name === 'LOGIC_ATTEMPT_TIMEOUT_MS')?.value);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_ATTEMPT_TIMEOUT_MS;
}

/** Node restore at start, where the cluster's nodes may be no containers of this machine. */
async function restoreNodesIfAny(cluster: Cluster, faults: NodeFaults): Promise<string[]> {
  const lines = await restoreNodes(cluster, faults);
  return lines.filter(
    (line) => !line.startsWith('could not') && !line.includes('no such container'),
  );
}

function kindTarget(state: KindState, nodes: NodeControlChoice): ChaosTarget {
  const { cluster } = state;
  const admin = new KindLogicAdmin(cluster, state.token);
  const kills = podKills(state);
  // The nodes first: the pods that logic's scale and the faults need run on them.
  const restoreAll = async () => [
    ...('control' in nodes
      ? await nodes.control
          .restore()
          .catch((e: Error) => [`could not restore the nodes: ${e.message}`])
      : []),
    ...(await restoreCluster(cluster, admin, state.logicReplicas)),
  ];
  return {
    name: 'kind',
    shopUrl: state.settings.url,
    whyNot: 'whyNot' in nodes ? { nodes: nodes.whyNot } : {},

    async setFaults(settings: FaultSettings) {
      await admin.setFaults(settings);
    },
    faultCounts: () => admin.faultCounts(),
    audit: (eventIds) => admin.audit(eventIds),
    createEvents: (events) => admin.createEvents(events),
    archiveEvents: (ids) => admin.archiveEvents(ids),
    ...healthChecks(state, admin),
    ...logicScaling(state),
    killLogicReplica: kills.killLogicReplica,
    restoreLogicReplica: kills.restoreLogicReplica,
    controls: {
      database: kills.database,
      frontend: kills.frontend,
      networkPolicy: { probe: () => probeNetworkPolicy(cluster) },
      ...('control' in nodes ? { nodes: nodes.control } : {}),
    },

    restore: () => restoreAll(),
    // The cluster stays up; close puts back whatever an interrupted scenario left changed.
    close: () => restoreAll(),
  };
}
