// What the policy checks read from the parsed manifests: workloads, containers, their env and
// ports, and the peers a NetworkPolicy can let in or keep out.

import { frontendEnvSchema, loadFrontendConfig } from '../../../src/frontend/config.ts';
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { loadLogicConfig, logicEnvSchema } from '../../../src/logic/config.ts';
import type { Peer } from './network.ts';

export type Probe = { httpGet?: { path: string; port: number | string }; exec?: unknown };
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
};
export type Container = {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[] };
  };
};
export type PodSpec = {
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
};
export type Workload = KubeObject & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

/** The services whose code we own: manifest name → what the code says about it. */
export const OUR_SERVICES = {
  'flame-frontend': {
    envNames: Object.keys(frontendEnvSchema.shape),
    helperEnv: [] as readonly string[],
    load: loadFrontendConfig,
  },
  'flame-logic': {
    envNames: Object.keys(logicEnvSchema.shape),
    // Set only so DATABASE_URL can say $(DB_PASSWORD); the code never reads it.
    helperEnv: ['DB_PASSWORD'] as readonly string[],
    load: loadLogicConfig,
  },
} as const;

export const workloads = (docs: readonly KubeObject[]): Workload[] =>
  docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'StatefulSet');

export const byKind = (docs: readonly KubeObject[], kind: string) =>
  docs.filter((d) => d.kind === kind);

export function each(
  docs: readonly KubeObject[],
  fn: (w: Workload, c: Container, where: string) => string[],
) {
  return workloads(docs).flatMap((w) =>
    w.spec.template.spec.containers.flatMap((c) =>
      fn(w, c, `${w.kind}/${w.metadata.name} container ${c.name}`),
    ),
  );
}

/**
 * The environment a container would see, with Secret values and the pod name replaced by
 * stand-ins and $(VAR) references expanded the way the kubelet does.
 */
export function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (whole, name: string) => env[name] ?? whole,
      );
    } else if (variable.valueFrom?.secretKeyRef) {
      env[variable.name] = `stand-in-${variable.valueFrom.secretKeyRef.key}-0123456789abcdef`;
    } else if (variable.valueFrom?.fieldRef) {
      env[variable.name] = 'stand-in-pod-name';
    }
  }
  return env;
}

export function portNumber(
  container: Container,
  port: number | string | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const seconds = Number(command[command.length - 1]);
  return command.includes('sleep') && Number.isFinite(seconds) ? seconds : 0;
}

/** Pods of each workload, plus peers outside: a browser and the cluster DNS. */
export function peers(docs: readonly KubeObject[]): Record<string, Peer> {
  const namespaces = new Map(
    byKind(docs, 'Namespace').map((ns) => [
      ns.metadata.name,
      (ns.metadata.labels ?? {}) as Record<string, string>,
    ]),
  );
  const result: Record<string, Peer> = {
    browser: { name: 'browser', namespace: undefined, namespaceLabels: {}, labels: {} },
    'kube-dns': {
      name: 'kube-dns',
      namespace: 'kube-system',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
      labels: { 'k8s-app': 'kube-dns' },
    },
  };
  // A pod someone adds later without a policy of its own: default deny must cover it.
  result.newcomer = {
    name: 'newcomer',
    namespace: 'flame',
    namespaceLabels: { ...namespaces.get('flame'), 'kubernetes.io/metadata.name': 'flame' },
    labels: { app: 'newcomer' },
  };
  for (const w of workloads(docs)) {
    const namespace = w.metadata.namespace ?? 'default';
    result[w.metadata.name] = {
      name: w.metadata.name,
      namespace,
      // The API server labels every namespace with its name.
      namespaceLabels: { ...namespaces.get(namespace), 'kubernetes.io/metadata.name': namespace },
      labels: w.spec.template.metadata.labels,
    };
  }
  return result;
}
