import type { PodSummary, Settings } from '../../kube/index.ts';
import { answersReady } from '../../shared/wait.ts';
import {
  addFrontendCounts,
  type FrontendCounts,
  zeroFrontendCounts,
} from '../core/observations.ts';
import { readFrontendCounts } from '../targets/observe.ts';
import type { ChaosTarget, DatabaseControl, FrontendControl } from '../targets/target.ts';
import type { Cluster } from './cluster.ts';
import { type KindLogicAdmin, LOGIC } from './logic-admin.ts';
import { forgetLogicReplicas, saveLogicReplicas, scaleLogic } from './logic-scale.ts';

const FRONTEND = 'app=flame-frontend';
const POSTGRES = 'app=postgres';
/** The frontend's METRICS_PORT in manifests/flame/40-frontend.yaml. */
const FRONTEND_METRICS_PORT = 9464;
/** Postgres gets a few seconds to stop; its replacement waits until it has. */
const POSTGRES_GRACE_SECONDS = 5;

/** What the kind target knows once connected: the cluster, the token, the replica counts. */
export interface KindState {
  cluster: Cluster;
  settings: Settings;
  token: string;
  logicReplicas: number;
  frontendReplicas: number;
}

const logicReady = ({ cluster, logicReplicas }: KindState, since: number) =>
  cluster.waitReady('every logic pod to be Ready', LOGIC, logicReplicas, since);

/** Which pods serve, and whether the shop is ready. */
export function healthChecks(state: KindState, admin: KindLogicAdmin) {
  const { cluster } = state;
  return {
    logicIdentities: () => admin.identities(),

    /** Summed over the Ready frontend pods, each read through a port-forward to its metrics. */
    async frontendCounts() {
      let sum: FrontendCounts = zeroFrontendCounts();
      for (const pod of await cluster.readyPods(FRONTEND)) {
        const counts = await cluster.throughPod(pod, FRONTEND_METRICS_PORT, (url) =>
          readFrontendCounts(`${url}/metrics`),
        );
        sum = addFrontendCounts(sum, counts);
      }
      return sum;
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
export function podKills(state: KindState) {
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
  const frontend: FrontendControl = {
    kill: () => kill(FRONTEND, state.frontendReplicas, 'frontend'),
    restore: replaced,
  };
  const database: DatabaseControl = {
    async kill() {
      const victim = (await cluster.pods(POSTGRES)).find((p) => p.ready);
      if (!victim) throw new Error('no Ready postgres pod to delete');
      const since = Date.now();
      await cluster.deletePodGracefully(victim.name, POSTGRES_GRACE_SECONDS);
      watchReplacement('postgres', POSTGRES, 1, victim, since);
    },

    async restore() {
      const seconds = await replaced();
      // Logic turns unready while its database is gone; the shop is back when logic is.
      await logicReady(state, Date.now());
      return seconds;
    },

    reachable: () => postgresAnswers(cluster),
  };
  return {
    killLogicReplica: () => kill(LOGIC, state.logicReplicas, 'logic'),
    restoreLogicReplica: replaced,
    frontend,
    database,
  };
}

/**
 * The runner's own probe of the database: pg_isready inside the postgres pod, against the
 * server's socket. Any failure (no pod, not accepting connections, kubectl timing out) is
 * "not reachable".
 */
async function postgresAnswers(cluster: Cluster): Promise<boolean> {
  try {
    await cluster.run('probing postgres', [
      'exec',
      'statefulset/postgres',
      '--',
      'pg_isready',
      '--timeout=1',
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The faults that change logic's Deployment: a rolling restart, scale to zero and back. */
export function logicScaling(state: KindState) {
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
