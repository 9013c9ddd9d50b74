import type { Cluster } from './cluster.ts';

/**
 * Written on deployment/flame-logic before logic-down scales it to zero, removed once it is
 * scaled back: a run interrupted in between (even killed) leaves the count to restore.
 */
export const SAVED_REPLICAS_ANNOTATION = 'flametickets.chaos/logic-replicas';

export interface LogicScale {
  replicas: number;
  /** The count logic-down saved before scaling to zero, if a run left it behind. */
  saved: number | undefined;
}

export async function readLogicScale(cluster: Cluster): Promise<LogicScale> {
  const json = await cluster.run('reading deployment/flame-logic', [
    'get',
    'deployment/flame-logic',
    '-o',
    'json',
  ]);
  const deployment = JSON.parse(json) as {
    spec?: { replicas?: number };
    metadata?: { annotations?: Record<string, string> };
  };
  const saved = Number(deployment.metadata?.annotations?.[SAVED_REPLICAS_ANNOTATION]);
  return {
    replicas: deployment.spec?.replicas ?? 0,
    saved: Number.isInteger(saved) && saved > 0 ? saved : undefined,
  };
}

export async function saveLogicReplicas(cluster: Cluster, replicas: number): Promise<void> {
  await cluster.run('noting the logic replica count before scaling to zero', [
    'annotate',
    'deployment/flame-logic',
    `${SAVED_REPLICAS_ANNOTATION}=${replicas}`,
    '--overwrite',
  ]);
}

export async function forgetLogicReplicas(cluster: Cluster): Promise<void> {
  await cluster.run('removing the noted logic replica count', [
    'annotate',
    'deployment/flame-logic',
    `${SAVED_REPLICAS_ANNOTATION}-`,
  ]);
}

export async function scaleLogic(cluster: Cluster, replicas: number): Promise<void> {
  await cluster.run(`scaling logic to ${replicas}`, [
    'scale',
    'deployment/flame-logic',
    `--replicas=${replicas}`,
  ]);
}
