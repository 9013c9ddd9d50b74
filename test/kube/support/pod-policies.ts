import type { KubeObject } from '../../../src/kube/manifests.ts';
import { each, OUR_SERVICES, portNumber, workloads } from './workloads.ts';

export const podChecks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
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
};
