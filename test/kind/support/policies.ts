// Policy checks over the parsed manifests. Each returns a list of problems (empty = passes),
// so the tests can show both that our manifests pass and that each check catches a violation.

import { frontendEnvSchema, loadFrontendConfig } from '../../../src/frontend/config.ts';
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { loadLogicConfig, logicEnvSchema } from '../../../src/logic/config.ts';
import { hardeningChecks } from './hardening-policies.ts';
import { metricsChecks } from './metrics-policies.ts';
import { mayConnect, type Peer, selectorMatches } from './network.ts';

type Probe = { httpGet?: { path: string; port: number | string }; exec?: unknown };
type EnvVar = {
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

const byKind = (docs: readonly KubeObject[], kind: string) => docs.filter((d) => d.kind === kind);

function each(
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

function portNumber(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function preStopSeconds(container: Container): number {
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

export const checks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
  'every container has readiness and liveness probes; ours probe /readyz and /healthz on their port':
    (docs) =>
      each(docs, (w, c, where) => {
        const problems: string[] = [];
        if (!c.readinessProbe) problems.push(`${where}: no readinessProbe`);
        if (!c.livenessProbe) problems.push(`${where}: no livenessProbe`);
        if (w.metadata.name in OUR_SERVICES) {
          const port = c.ports?.[0]?.containerPort;
          for (const [probe, path] of [
            [c.readinessProbe, '/readyz'],
            [c.livenessProbe, '/healthz'],
          ] as const) {
            if (probe?.httpGet?.path !== path || portNumber(c, probe.httpGet.port) !== port) {
              problems.push(`${where}: probe should GET ${path} on port ${port}`);
            }
          }
        }
        return problems;
      }),

  'every container has cpu and memory requests and limits': (docs) =>
    each(docs, (_w, c, where) =>
      ['requests', 'limits'].flatMap((kind) =>
        ['cpu', 'memory']
          .filter((resource) => !c.resources?.[kind as 'requests' | 'limits']?.[resource])
          .map((resource) => `${where}: no ${resource} ${kind}`),
      ),
    ),

  'pods run as a numeric non-root user with RuntimeDefault seccomp and no service-account token': (
    docs,
  ) =>
    workloads(docs).flatMap((w) => {
      const pod = w.spec.template.spec;
      const where = `${w.kind}/${w.metadata.name}`;
      const problems: string[] = [];
      if (pod.automountServiceAccountToken !== false)
        problems.push(`${where}: automountServiceAccountToken not false`);
      if (pod.securityContext?.runAsNonRoot !== true)
        problems.push(`${where}: runAsNonRoot not true`);
      const uid = pod.securityContext?.runAsUser;
      if (!Number.isInteger(uid) || (uid as number) <= 0)
        problems.push(`${where}: runAsUser not a numeric non-root uid`);
      if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') {
        problems.push(`${where}: seccompProfile not RuntimeDefault`);
      }
      return problems;
    }),

  'containers have a read-only root filesystem, drop ALL capabilities and cannot escalate': (
    docs,
  ) =>
    each(docs, (_w, c, where) => {
      const sc = c.securityContext;
      const problems: string[] = [];
      if (sc?.readOnlyRootFilesystem !== true)
        problems.push(`${where}: readOnlyRootFilesystem not true`);
      if (sc?.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation not false`);
      if (!sc?.capabilities?.drop?.includes('ALL'))
        problems.push(`${where}: capabilities do not drop ALL`);
      if (sc?.runAsUser === 0) problems.push(`${where}: runAsUser 0`);
      return problems;
    }),

  'images have a pinned tag (never latest) and imagePullPolicy IfNotPresent': (docs) =>
    each(docs, (_w, c, where) => {
      const problems: string[] = [];
      const tag = /:([^/:@]+)(@sha256:.*)?$/.exec(c.image ?? '')?.[1];
      if (!tag || tag === 'latest') problems.push(`${where}: image ${c.image} has no pinned tag`);
      if (c.imagePullPolicy !== 'IfNotPresent')
        problems.push(`${where}: imagePullPolicy ${c.imagePullPolicy}`);
      return problems;
    }),

  'every workload has a PodDisruptionBudget that selects its pods': (docs) =>
    workloads(docs).flatMap((w) => {
      const pdbs = byKind(docs, 'PodDisruptionBudget').filter((pdb) =>
        selectorMatches(
          (pdb.spec as { selector: { matchLabels?: Record<string, string> } }).selector,
          w.spec.template.metadata.labels,
        ),
      );
      return pdbs.length === 1
        ? []
        : [`${w.kind}/${w.metadata.name}: ${pdbs.length} PodDisruptionBudgets select it`];
    }),

  'frontend and logic run at least 2 replicas and roll out with maxUnavailable 0': (docs) =>
    Object.keys(OUR_SERVICES).flatMap((name) => {
      const w = workloads(docs).find((d) => d.metadata.name === name);
      if (!w) return [`no workload ${name}`];
      const problems: string[] = [];
      if ((w.spec.replicas ?? 1) < 2)
        problems.push(`${name}: replicas ${w.spec.replicas ?? 1} < 2`);
      if (
        w.spec.strategy?.type !== 'RollingUpdate' ||
        w.spec.strategy.rollingUpdate?.maxUnavailable !== 0
      ) {
        problems.push(`${name}: not a RollingUpdate with maxUnavailable 0`);
      }
      return problems;
    }),

  'workload and Service selectors match exactly the intended pods': (docs) => {
    const problems: string[] = [];
    for (const w of workloads(docs)) {
      if (!selectorMatches(w.spec.selector, w.spec.template.metadata.labels)) {
        problems.push(`${w.kind}/${w.metadata.name}: selector does not match its pod labels`);
      }
    }
    for (const service of byKind(docs, 'Service')) {
      const selector = {
        matchLabels: (service.spec as { selector?: Record<string, string> }).selector ?? {},
      };
      const selected = workloads(docs).filter((w) =>
        selectorMatches(selector, w.spec.template.metadata.labels),
      );
      if (selected.length !== 1) {
        problems.push(
          `Service/${service.metadata.name} selects ${selected.length} workloads, not 1`,
        );
      }
    }
    return problems;
  },

  'Service target ports = container ports = the ports the code listens on by default': (docs) => {
    const problems: string[] = [];
    for (const service of byKind(docs, 'Service')) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { port: number; targetPort?: number | string }[];
      };
      const w = workloads(docs).find((d) =>
        selectorMatches({ matchLabels: spec.selector }, d.spec.template.metadata.labels),
      );
      const container = w?.spec.template.spec.containers[0];
      if (!w || !container) continue;
      for (const port of spec.ports) {
        const target = portNumber(container, port.targetPort ?? port.port);
        if (target === undefined || !container.ports?.some((p) => p.containerPort === target)) {
          problems.push(
            `Service/${service.metadata.name}: targetPort ${port.targetPort} is no container port`,
          );
        }
      }
    }
    for (const [name, service] of Object.entries(OUR_SERVICES)) {
      const container = workloads(docs).find((w) => w.metadata.name === name)?.spec.template.spec
        .containers[0];
      if (!container) continue;
      const defaultPort = service.load({ ...containerEnv(container), PORT: undefined }).PORT;
      const configuredPort = service.load(containerEnv(container)).PORT;
      const containerPort = container.ports?.[0]?.containerPort;
      if (containerPort !== defaultPort || configuredPort !== defaultPort) {
        problems.push(
          `${name}: containerPort ${containerPort}, PORT ${configuredPort}, code default ${defaultPort}`,
        );
      }
    }
    return problems;
  },

  'env names are ones the code reads, and the code accepts the values': (docs) =>
    Object.entries(OUR_SERVICES).flatMap(([name, service]) => {
      const container = workloads(docs).find((w) => w.metadata.name === name)?.spec.template.spec
        .containers[0];
      if (!container) return [`no container for ${name}`];
      const problems: string[] = [];
      const names = (container.env ?? []).map((e) => e.name);
      for (const envName of names) {
        if (service.envNames.includes(envName)) continue;
        const helper = service.helperEnv.includes(envName);
        const used = (container.env ?? []).some((e) => e.value?.includes(`$(${envName})`));
        if (!helper || !used) problems.push(`${name}: env ${envName} is not read by the code`);
      }
      try {
        service.load(containerEnv(container));
      } catch (error) {
        problems.push(`${name}: the code rejects the manifest's env: ${(error as Error).message}`);
      }
      return problems;
    }),

  'NetworkPolicies: default deny; frontend open; logic only from frontend; postgres only from logic; DNS':
    (docs) => {
      const policies = byKind(docs, 'NetworkPolicy');
      const p = peers(docs);
      const problems: string[] = [];
      const expect = (
        from: string,
        to: string,
        port: number,
        allowed: boolean,
        protocol = 'TCP',
      ) => {
        const source = p[from];
        const target = p[to];
        if (!source || !target) return problems.push(`no pod ${from} or ${to}`);
        if (mayConnect(source, target, port, policies, protocol) !== allowed) {
          problems.push(
            `${from} → ${to}:${port}/${protocol} should be ${allowed ? 'allowed' : 'denied'}`,
          );
        }
      };
      expect('browser', 'flame-frontend', 8080, true);
      expect('browser', 'flame-logic', 8081, false);
      expect('browser', 'postgres', 5432, false);
      expect('flame-frontend', 'flame-logic', 8081, true);
      expect('flame-frontend', 'postgres', 5432, false);
      expect('flame-logic', 'postgres', 5432, true);
      expect('flame-logic', 'flame-frontend', 8080, false);
      expect('postgres', 'flame-logic', 8081, false);
      expect('browser', 'newcomer', 8080, false);
      expect('newcomer', 'flame-logic', 8081, false);
      for (const pod of ['flame-frontend', 'flame-logic', 'postgres']) {
        expect(pod, 'browser', 443, false);
        expect(pod, 'kube-dns', 53, true, 'UDP');
        expect(pod, 'kube-dns', 53, true, 'TCP');
      }
      for (const policy of policies) {
        const selector = (policy.spec as { podSelector: { matchLabels?: Record<string, string> } })
          .podSelector;
        if (
          !Object.values(p).some(
            (peer) =>
              peer.namespace === policy.metadata.namespace &&
              selectorMatches(selector, peer.labels),
          )
        ) {
          problems.push(`NetworkPolicy/${policy.metadata.name} selects no pod`);
        }
      }
      return problems;
    },

  'grace period exceeds preStop sleep + drain, and preStop sleep + the hard shutdown timeout': (
    docs,
  ) =>
    Object.entries(OUR_SERVICES).flatMap(([name, service]) => {
      const w = workloads(docs).find((d) => d.metadata.name === name);
      const container = w?.spec.template.spec.containers[0];
      if (!w || !container) return [`no workload ${name}`];
      const config = service.load(containerEnv(container));
      const sleep = preStopSeconds(container);
      const grace = w.spec.template.spec.terminationGracePeriodSeconds ?? 30;
      const problems: string[] = [];
      if (sleep <= 0) problems.push(`${name}: no preStop sleep`);
      if (grace <= sleep + config.SHUTDOWN_DRAIN_MS / 1000) {
        problems.push(
          `${name}: grace ${grace}s <= preStop ${sleep}s + drain ${config.SHUTDOWN_DRAIN_MS / 1000}s`,
        );
      }
      if (grace <= sleep + config.SHUTDOWN_TIMEOUT_MS / 1000) {
        problems.push(
          `${name}: grace ${grace}s <= preStop ${sleep}s + hard timeout ${config.SHUTDOWN_TIMEOUT_MS / 1000}s`,
        );
      }
      return problems;
    }),
  ...hardeningChecks,
  ...metricsChecks,
};
