import { flameTarget, readSecretKey } from '../../../scripts/lib/kubectl.ts';
import {
  loadSettings,
  SECRET_KEYS,
  SECRET_NAME,
  type Settings,
} from '../../../scripts/lib/settings.ts';
import { waitFor } from '../../../scripts/lib/wait.ts';
import { answersReady, getAudit, putFaults } from '../targets/admin-client.ts';
import type { ChaosTarget } from '../targets/target.ts';
import type { FaultSettings } from '../types.ts';
import { Cluster } from './cluster.ts';
import { probeNetworkPolicy } from './network-probe.ts';

const LOGIC = 'app=flame-logic';
const FRONTEND = 'app=flame-frontend';
const POSTGRES = 'app=postgres';
const LOGIC_PORT = 8081;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

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
  const logicReplicas = await cluster.deploymentReplicas('flame-logic');
  const frontendReplicas = await cluster.deploymentReplicas('flame-frontend');
  const attemptTimeoutMs = await readAttemptTimeout(cluster);
  await waitFor(
    `the shop at ${settings.url} to answer /readyz`,
    async () => ((await answersReady(`${settings.url}/readyz`)) ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  return {
    context: settings.kubeContext,
    attemptTimeoutMs,
    target: kindTarget({ cluster, settings, token, logicReplicas, frontendReplicas }),
  };
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
  const { cluster, token } = state;
  // A killed pod's replacement is watched from the moment of the kill.
  let replacement: Promise<number> | undefined;

  const kill = async (selector: string, count: number, label: string): Promise<string> => {
    const victim = (await cluster.pods(selector)).find((p) => p.ready);
    if (!victim) throw new Error(`no Ready ${label} pod to kill`);
    const since = Date.now();
    await cluster.killPod(victim.name);
    replacement = cluster.waitReady(
      `a Ready replacement for ${label} pod ${victim.name}`,
      selector,
      count,
      since,
      victim.uid,
    );
    replacement.catch(() => undefined);
    return victim.name;
  };
  const replaced = async (): Promise<number> => {
    if (!replacement) throw new Error('nothing was killed');
    const seconds = await replacement;
    replacement = undefined;
    return seconds;
  };
  const logicReady = (since: number) =>
    cluster.waitReady('every logic pod to be Ready', LOGIC, state.logicReplicas, since);

  return {
    name: 'kind',
    shopUrl: state.settings.url,
    cannotRun: () => undefined,

    async setFaults(settings: FaultSettings) {
      const pods = await cluster.readyPods(LOGIC);
      if (pods.length === 0) throw new Error('no Ready logic pod to set faults on');
      for (const [i, pod] of pods.entries()) {
        const seeded =
          settings.seed === undefined ? settings : { ...settings, seed: settings.seed + i };
        await cluster.throughPod(pod, LOGIC_PORT, (url) => putFaults(url, token, seeded));
      }
    },

    audit: () =>
      waitFor(
        'the audit through a Ready logic pod',
        async () => {
          const [pod] = await cluster.readyPods(LOGIC);
          if (!pod) throw new Error('no Ready logic pod');
          return cluster.throughPod(pod, LOGIC_PORT, (url) => getAudit(url, token));
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      ),

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

    async frontendIdentity() {
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
    },

    killLogicReplica: () => kill(LOGIC, state.logicReplicas, 'logic'),
    restoreLogicReplica: replaced,

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
      await cluster.run('scaling logic to zero', [
        'scale',
        'deployment/flame-logic',
        '--replicas=0',
      ]);
      await cluster.waitGone('every logic pod to be gone', LOGIC);
    },

    async startAllLogic() {
      const since = Date.now();
      await cluster.run('scaling logic back', [
        'scale',
        'deployment/flame-logic',
        `--replicas=${state.logicReplicas}`,
      ]);
      return logicReady(since);
    },

    async killDatabase() {
      await kill(POSTGRES, 1, 'postgres');
    },

    async restoreDatabase() {
      const seconds = await replaced();
      // Logic turns unready while its database is gone; the shop is back when logic is.
      await logicReady(Date.now());
      return seconds;
    },

    killFrontend: () => kill(FRONTEND, state.frontendReplicas, 'frontend'),
    restoreFrontend: replaced,
    probeNetworkPolicy: () => probeNetworkPolicy(cluster),

    // The cluster stays as it was found: every fault is rolled back by its scenario.
    close: async () => {},
  };
}
