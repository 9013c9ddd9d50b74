// Manifest policies for the metrics port: declared by our containers, announced by
// the usual scrape annotations, never in a Service, and reachable only by scraper pods.
// Merged into `checks` (policies.ts).
import type { KubeObject } from '../../../src/kube/manifests.ts';
import { mayConnect, type Peer } from './network.ts';
import { type Container, containerEnv, OUR_SERVICES, peers, type Workload } from './workloads.ts';

/** The pod label that marks a scraper (a Prometheus); docs/METRICS.md names it. */
export const SCRAPER_LABEL = { 'flametickets.dev/metrics-scraper': 'true' } as const;

const ourWorkloads = (docs: readonly KubeObject[]) =>
  docs.filter((d): d is Workload => d.kind === 'Deployment' && d.metadata.name in OUR_SERVICES);

/** The container's `metrics` port, as declared. */
const metricsPortOf = (container: Container | undefined) =>
  container?.ports?.find((port) => port.name === 'metrics')?.containerPort;

/** A pod in another namespace, labelled as a scraper or not. */
function monitoringPod(name: string, labels: Record<string, string>): Peer {
  return {
    name,
    namespace: 'monitoring',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    labels,
  };
}

export const metricsChecks: Record<string, (docs: readonly KubeObject[]) => string[]> = {
  'our containers declare a metrics port = METRICS_PORT, and the pods carry prometheus.io annotations for it':
    (docs) =>
      Object.entries(OUR_SERVICES).flatMap(([name, service]) => {
        const w = ourWorkloads(docs).find((d) => d.metadata.name === name);
        const container = w?.spec.template.spec.containers[0];
        if (!w || !container) return [`no workload ${name}`];
        const port = metricsPortOf(container);
        if (port === undefined) return [`${name}: no container port named metrics`];
        const problems: string[] = [];
        const configured = (service.load(containerEnv(container)) as { METRICS_PORT?: number })
          .METRICS_PORT;
        if (configured !== port) problems.push(`${name}: METRICS_PORT ${configured}, port ${port}`);
        const annotations =
          (w.spec.template.metadata as { annotations?: Record<string, string> }).annotations ?? {};
        const expected = {
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(port),
          'prometheus.io/path': '/metrics',
        };
        for (const [key, value] of Object.entries(expected)) {
          if (annotations[key] !== value) {
            problems.push(`${name}: annotation ${key} is ${annotations[key]}, not ${value}`);
          }
        }
        return problems;
      }),

  'no Service exposes a metrics port': (docs) =>
    docs
      .filter((d) => d.kind === 'Service')
      .flatMap((service) => {
        const ports = (service.spec as { ports: { port: number; targetPort?: number | string }[] })
          .ports;
        const metricsPorts = ourWorkloads(docs).map((w) =>
          metricsPortOf(w.spec.template.spec.containers[0]),
        );
        return ports
          .filter(
            (p) =>
              p.targetPort === 'metrics' ||
              metricsPorts.includes(p.port) ||
              metricsPorts.includes(p.targetPort as number),
          )
          .map((p) => `Service/${service.metadata.name} exposes metrics port ${p.port}`);
      }),

  'NetworkPolicies: only pods labelled as scrapers, from any namespace, reach the metrics ports': (
    docs,
  ) => {
    const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
    const p: Record<string, Peer> = {
      ...peers(docs),
      scraper: monitoringPod('scraper', { ...SCRAPER_LABEL }),
      unlabelled: monitoringPod('unlabelled', { app: 'prometheus' }),
    };
    const problems: string[] = [];
    for (const w of ourWorkloads(docs)) {
      const port = metricsPortOf(w.spec.template.spec.containers[0]);
      const target = p[w.metadata.name];
      if (port === undefined || !target) continue;
      const expect = (from: string, allowed: boolean) => {
        const source = p[from];
        if (source && mayConnect(source, target, port, policies) !== allowed) {
          problems.push(
            `${from} → ${w.metadata.name}:${port} should be ${allowed ? 'allowed' : 'denied'}`,
          );
        }
      };
      expect('scraper', true);
      for (const other of ['unlabelled', 'browser', 'newcomer', 'flame-frontend', 'flame-logic']) {
        if (other !== w.metadata.name) expect(other, false);
      }
    }
    return problems;
  },
};
