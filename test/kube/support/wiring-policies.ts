import type { KubeObject } from '../../../src/kube/manifests.ts';
import { mayConnect, selectorMatches } from './network.ts';
import {
  byKind,
  containerEnv,
  OUR_SERVICES,
  peers,
  portNumber,
  preStopSeconds,
  workloads,
} from './workloads.ts';

export const wiringChecks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
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
};
