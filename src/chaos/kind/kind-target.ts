import {
  flameTarget,
  loadSettings,
  type PodSummary,
  readSecretKey,
  SECRET_KEYS,
  SECRET_NAME,
  type Settings,
  waitFor,
} from '../../kube/index.ts';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '../env.ts';
import { answersReady } from '../targets/admin-client.ts';
import type { ChaosTarget } from '../targets/target.ts';
import type { FaultSettings } from '../types.ts';
import { Cluster } from './cluster.ts';
import { KindLogicAdmin, LOGIC } from './logic-admin.ts';
import {
  forgetLogicReplicas,
  readLogicScale,
  saveLogicReplicas,
  scaleLogic,
} from './logic-scale.ts';
import { probeNetworkPolicy } from './network-probe.ts';
import { restoreCluster } from './restore.ts';

const FRONTEND = 'app=flame-frontend';
const POSTGRES = 'app=postgres';
/** Postgres gets a few seconds to stop; its replacement waits until it has. */
const POSTGRES_GRACE_SECONDS = 5;

export interface KindConnection {
  target: ChaosTarget;
  attemptTimeoutMs: number;
  context: string;
}

/**
 * The cluster `npm run deploy` made: the shop at http://localhost:8080 (kind port mapping),
 * faults and the audit through a port-forward to each logic pod, faults by kubectl.
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
  const logicReplicas = await logicReplicasAfterAnyInterruptedRun(cluster, options.log);
  const frontendReplicas = await cluster.deploymentReplicas('flame-frontend');
  const attemptTimeoutMs = await readAttemptTimeout(cluster);
  await waitFor(
    `the shop at ${settings.url} to answer /readyz`,
    async () => ((await answersReady(`${settings.url}/readyz`)) ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 500, log: options.log },
  );
  return {
    context: settings.kubeContext,
    attemptTimeoutMs,
    target: kindTarget({ cluster, settings, token, logicReplicas, frontendReplicas }),
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

interface KindState {
  cluster: Cluster;
  settings: Settings;
  token: string;
  logicReplicas: number;
  frontendReplicas: number;
}

function kindTarget(state: KindState): ChaosTarget {
  const { cluster } = state;
  const admin = new KindLogicAdmin(cluster, state.token);
  return {
    name: 'kind',
    shopUrl: state.settings.url,
    cannotRun: () => undefined,

    async setFaults(settings: FaultSettings) {
      await admin.setFaults(settings);
    },
    faultCounts: () => admin.faultCounts(),
    audit: (eventIds) => admin.audit(eventIds),
    createEvents: (events) => admin.createEvents(events),
    archiveEvents: (ids) => admin.archiveEvents(ids),
    ...healthChecks(state),
    ...podKills(state),
    ...logicScaling(state),
    probeNetworkPolicy: () => probeNetworkPolicy(cluster),

    restore: () => restoreCluster(cluster, admin, state.logicReplicas),
    // The cluster stays up; close puts back whatever an interrupted scenario left changed.
    close: () => restoreCluster(cluster, admin, state.logicReplicas),
  };
}

const logicReady = ({ cluster, logicReplicas }: KindState, since: number) =>
  cluster.waitReady('every logic pod to be Ready', LOGIC, logicReplicas, since);

/** Which pods serve, and whether the shop is ready. */
function healthChecks(state: KindState) {
  const { cluster } = state;
  return {
    // Ready pods only: a replaced pod still terminating after the rollout is not serving.
    async logicIdentities() {
      return (await cluster.pods(LOGIC))
        .filter((p) => p.ready)
        .map((p) => `${p.name} uid ${p.uid}`)
        .sort();
    },

    async unhealthy() {
      const problems: string[] = [];
      const expect = [
        ['logic', LOGIC, state.logicReplicas],
        ['frontend', FRONTEND, state.frontendReplicas],
        ['postgres', POSTGRES, 1],
      ] as const;
      for (const [label, selector, count] of expect) {
        const ready = (await cluster.readyPods(selector)).length;
        if (ready < count) problems.push(`${label} ${ready}/${count} Ready`);
      }
      if (!(await answersReady(`${state.settings.url}/readyz`))) problems.push('shop /readyz');
      return problems.length > 0 ? `not ready: ${problems.join(', ')}` : undefined;
    },

    frontendIdentity: () => describeFrontendPods(cluster),
  } satisfies Partial<ChaosTarget>;
}

/** "flame-frontend-a (0 restarts), flame-frontend-b (1 restarts)" */
async function describeFrontendPods(cluster: Cluster): Promise<string> {
  const json = await cluster.run('reading the frontend pods', [
    'get',
    'pods',
    '-l',
    FRONTEND,
    '-o',
    'json',
  ]);
  const list = JSON.parse(json) as {
    items: {
      metadata: { name: string };
      status?: { containerStatuses?: { restartCount?: number }[] };
    }[];
  };
  return list.items
    .map((pod) => {
      const restarts = (pod.status?.containerStatuses ?? []).reduce(
        (n, c) => n + (c.restartCount ?? 0),
        0,
      );
      return `${pod.metadata.name} (${restarts} restarts)`;
    })
    .sort()
    .join(', ');
}

/**
 * The faults that kill a pod: each kill starts watching for its replacement (from the moment
 * of the kill), and the matching restore waits for it.
 */
function podKills(state: KindState) {
  const { cluster } = state;
  let replacement: Promise<number> | undefined;
  const watchReplacement = (
    label: string,
    selector: string,
    count: number,
    victim: PodSummary,
    since: number,
  ) => {
    replacement = cluster.waitReady(
      `a Ready replacement for ${label} pod ${victim.name}`,
      selector,
      count,
      since,
      victim.uid,
    );
    replacement.catch(() => undefined);
  };
  const kill = async (selector: string, count: number, label: string): Promise<string> => {
    const victim = (await cluster.pods(selector)).find((p) => p.ready);
    if (!victim) throw new Error(`no Ready ${label} pod to kill`);
    const since = Date.now();
    await cluster.killPod(victim.name);
    watchReplacement(label, selector, count, victim, since);
    return victim.name;
  };
  const replaced = async (): Promise<number> => {
    if (!replacement) throw new Error('nothing was killed');
    const seconds = await replacement;
    replacement = undefined;
    return seconds;
  };
  return {
    killLogicReplica: () => kill(LOGIC, state.logicReplicas, 'logic'),
    restoreLogicReplica: replaced,
    killFrontend: () => kill(FRONTEND, state.frontendReplicas, 'frontend'),
    restoreFrontend: replaced,

    async killDatabase() {
      const victim = (await cluster.pods(POSTGRES)).find((p) => p.ready);
      if (!victim) throw new Error('no Ready postgres pod to delete');
      const since = Date.now();
      await cluster.deletePodGracefully(victim.name, POSTGRES_GRACE_SECONDS);
      watchReplacement('postgres', POSTGRES, 1, victim, since);
    },

    async restoreDatabase() {
      const seconds = await replaced();
      // Logic turns unready while its database is gone; the shop is back when logic is.
      await logicReady(state, Date.now());
      return seconds;
    },
  } satisfies Partial<ChaosTarget>;
}

/** The faults that change logic's Deployment: a rolling restart, scale to zero and back. */
function logicScaling(state: KindState) {
  const { cluster } = state;
  return {
    async rollingRestartLogic() {
      await cluster.run('restarting the logic rollout', [
        'rollout',
        'restart',
        'deployment/flame-logic',
      ]);
      await cluster.run('waiting for the logic rollout', [
        'rollout',
        'status',
        'deployment/flame-logic',
        `--timeout=${state.settings.rolloutTimeoutS}s`,
      ]);
    },

    async stopAllLogic() {
      await saveLogicReplicas(cluster, state.logicReplicas);
      await scaleLogic(cluster, 0);
      await cluster.waitGone('every logic pod to be gone', LOGIC);
    },

    async startAllLogic() {
      const since = Date.now();
      await scaleLogic(cluster, state.logicReplicas);
      const seconds = await logicReady(state, since);
      await forgetLogicReplicas(cluster);
      return seconds;
    },
  } satisfies Partial<ChaosTarget>;
}
