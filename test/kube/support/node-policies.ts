// Manifest policies for losing a node: the frontend and logic replicas spread over nodes (a
// preference, so one node still runs them all), and a lost node's pods are evicted soon enough
// to be replaced elsewhere within a chaos scenario. Merged into `checks` (policies.ts).
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { OUR_SERVICES, type Workload, workloads } from './workloads.ts';

const HOSTNAME = 'kubernetes.io/hostname';
/** Long enough to ride out a blip, short enough for a scenario: 10–30 s. */
export const TOLERATION_SECONDS = { min: 10, max: 30 } as const;
const NODE_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'] as const;

type Selector = { matchLabels?: Record<string, string> };
type SpreadConstraint = {
  topologyKey?: string;
  whenUnsatisfiable?: string;
  maxSkew?: number;
  labelSelector?: Selector;
};
type WeightedTerm = { podAffinityTerm?: { topologyKey?: string; labelSelector?: Selector } };
type Toleration = { key?: string; operator?: string; effect?: string; tolerationSeconds?: number };
type NodePodSpec = {
  topologySpreadConstraints?: SpreadConstraint[];
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: unknown[];
      preferredDuringSchedulingIgnoredDuringExecution?: WeightedTerm[];
    };
  };
  tolerations?: Toleration[];
};

const selectsOwnPods = (selector: Selector | undefined, w: Workload) =>
  Object.entries(selector?.matchLabels ?? {}).length > 0 &&
  Object.entries(selector?.matchLabels ?? {}).every(
    ([key, value]) => w.spec.template.metadata.labels[key] === value,
  );

const ours = (docs: readonly KubeObject[]) =>
  Object.keys(OUR_SERVICES).map((name) => ({
    name,
    w: workloads(docs).find((d) => d.metadata.name === name),
  }));

export const nodeChecks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
  'frontend and logic prefer one replica per node (hostname spread or anti-affinity, ScheduleAnyway)':
    (docs) =>
      ours(docs).flatMap(({ name, w }) => {
        if (!w) return [`no workload ${name}`];
        const pod = w.spec.template.spec as NodePodSpec;
        const problems: string[] = [];
        const spread = (pod.topologySpreadConstraints ?? []).filter(
          (c) => c.topologyKey === HOSTNAME && selectsOwnPods(c.labelSelector, w),
        );
        const preferred = (
          pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        ).filter(
          (t) =>
            t.podAffinityTerm?.topologyKey === HOSTNAME &&
            selectsOwnPods(t.podAffinityTerm.labelSelector, w),
        );
        if (spread.length + preferred.length === 0) {
          problems.push(`${name}: no spread over ${HOSTNAME} that selects its own pods`);
        }
        // A hard rule would leave replicas Pending on a one-node cluster (or after a node loss).
        for (const c of spread.filter((c) => c.whenUnsatisfiable !== 'ScheduleAnyway')) {
          problems.push(
            `${name}: spread is ${c.whenUnsatisfiable ?? 'DoNotSchedule'}, not ScheduleAnyway`,
          );
        }
        if (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) {
          problems.push(`${name}: required anti-affinity cannot schedule on one node`);
        }
        return problems;
      }),

  'frontend and logic tolerate a not-ready or unreachable node 10–30 s, then move': (docs) =>
    ours(docs).flatMap(({ name, w }) => {
      if (!w) return [`no workload ${name}`];
      const tolerations = (w.spec.template.spec as NodePodSpec).tolerations ?? [];
      return NODE_TAINTS.flatMap((key) => {
        const t = tolerations.find((t) => t.key === key && t.effect === 'NoExecute');
        const seconds = t?.tolerationSeconds;
        if (seconds === undefined)
          return [`${name}: no NoExecute toleration with seconds for ${key} (default 300 s)`];
        if (seconds < TOLERATION_SECONDS.min || seconds > TOLERATION_SECONDS.max) {
          return [
            `${name}: tolerates ${key} for ${seconds}s, not ${TOLERATION_SECONDS.min}–${TOLERATION_SECONDS.max}s`,
          ];
        }
        return [];
      });
    }),
};
