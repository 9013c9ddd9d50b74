import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  IMAGE_INPUTS_ANNOTATION,
  type KubeObject,
  loadManifests,
  podTemplateOf,
  withImages,
  withNodePort,
} from '../../src/kube/manifests.ts';
import {
  CLUSTER_CONFIGS,
  DEFAULT_NODE_PORT,
  SECRET_KEYS,
  SECRET_NAME,
  WORKLOADS,
} from '../../src/kube/settings.ts';
import { checks, containerEnv, type Workload, workloads } from './support/policies.ts';
import { validateObject } from './support/schema.ts';
import { REPO_ROOT } from './support/stand-ins.ts';

const MANIFESTS = join(REPO_ROOT, 'manifests', 'flame');
const documents = await loadManifests(MANIFESTS);
const objects = documents.map((d) => d.object);

const find = <T extends KubeObject = KubeObject>(kind: string, name: string): T => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} is in manifests/flame`);
  return found as T;
};
const mutated = (change: (copy: KubeObject[]) => void): KubeObject[] => {
  const copy = structuredClone(objects);
  change(copy);
  return copy;
};
const workloadIn = (docs: KubeObject[], name: string) => {
  const w = workloads(docs).find((d) => d.metadata.name === name);
  assert.ok(w);
  return w;
};
const objectIn = (docs: KubeObject[], kind: string, name: string) => {
  const found = docs.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name}`);
  return found;
};
const podSpecIn = (docs: KubeObject[], name: string) =>
  workloadIn(docs, name).spec.template.spec as {
    topologySpreadConstraints?: { whenUnsatisfiable?: string; labelSelector?: object }[];
    tolerations?: { key?: string; tolerationSeconds?: number }[];
  };
const containerIn = (docs: KubeObject[], name: string) => {
  const c = workloadIn(docs, name).spec.template.spec.containers[0];
  assert.ok(c);
  return c;
};

describe('manifests against the Kubernetes schemas (kubernetes-models, no cluster)', () => {
  for (const { file, object } of documents) {
    it(`${file}: ${object.kind}/${object.metadata.name} is valid and has no unknown fields`, async () => {
      assert.deepEqual(await validateObject(object), []);
    });
  }

  it('rejects a misspelt field that the schemas alone let through', async () => {
    const deployment = structuredClone(find<Workload>('Deployment', 'flame-logic'));
    const container = deployment.spec.template.spec.containers[0] as unknown as Record<
      string,
      unknown
    >;
    container.readinesProbe = container.readinessProbe;
    assert.deepEqual(await validateObject(deployment), [
      '/spec/template/spec/containers/0/readinesProbe: unknown field',
    ]);
  });

  it('rejects a wrong type', async () => {
    const deployment = structuredClone(find<Workload>('Deployment', 'flame-logic'));
    (deployment.spec as Record<string, unknown>).replicas = 'two';
    assert.match((await validateObject(deployment)).join('\n'), /\/spec\/replicas: type/);
  });

  it('puts every object in namespace flame', () => {
    for (const object of objects) {
      if (object.kind === 'Namespace') assert.equal(object.metadata.name, 'flame');
      else
        assert.equal(object.metadata.namespace, 'flame', `${object.kind}/${object.metadata.name}`);
    }
  });
});

describe('manifest policies', () => {
  for (const [name, check] of Object.entries(checks)) {
    it(name, () => assert.deepEqual(check(objects), []));
  }
});

describe('manifest policies catch violations (each check can fail)', () => {
  const cases: [string, string, (docs: KubeObject[]) => void][] = [
    [
      'every container has readiness and liveness',
      'a container has no readinessProbe',
      (d) => delete containerIn(d, 'flame-logic').readinessProbe,
    ],
    [
      'cpu and memory requests',
      'postgres has no memory limit',
      (d) => delete containerIn(d, 'postgres').resources?.limits?.memory,
    ],
    [
      'numeric non-root user',
      'the frontend runs as uid 0',
      (d) => {
        const pod = workloadIn(d, 'flame-frontend').spec.template.spec;
        if (pod.securityContext) pod.securityContext.runAsUser = 0;
      },
    ],
    [
      'numeric non-root user',
      'postgres mounts a service-account token',
      (d) => delete workloadIn(d, 'postgres').spec.template.spec.automountServiceAccountToken,
    ],
    [
      'read-only root filesystem',
      'the logic root filesystem is writable',
      (d) => {
        const sc = containerIn(d, 'flame-logic').securityContext;
        if (sc) sc.readOnlyRootFilesystem = false;
      },
    ],
    [
      'read-only root filesystem',
      'logic keeps its capabilities',
      (d) => delete containerIn(d, 'flame-logic').securityContext?.capabilities,
    ],
    [
      'pinned tag',
      'postgres uses :latest',
      (d) => (containerIn(d, 'postgres').image = 'postgres:latest'),
    ],
    [
      'pinned tag',
      'logic pulls Always',
      (d) => (containerIn(d, 'flame-logic').imagePullPolicy = 'Always'),
    ],
    [
      'PodDisruptionBudget',
      'a PodDisruptionBudget is missing',
      (d) =>
        d.splice(
          d.findIndex((o) => o.kind === 'PodDisruptionBudget'),
          1,
        ),
    ],
    [
      'at least 2 replicas',
      'logic runs 1 replica',
      (d) => (workloadIn(d, 'flame-logic').spec.replicas = 1),
    ],
    [
      'at least 2 replicas',
      'the frontend rolls out with maxUnavailable 1',
      (d) =>
        (workloadIn(d, 'flame-frontend').spec.strategy = {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 1 },
        }),
    ],
    [
      'selectors match',
      'the logic selector misses its pods',
      (d) => (workloadIn(d, 'flame-logic').spec.selector.matchLabels = { app: 'flame-logik' }),
    ],
    [
      'selectors match',
      'flame-logic-service selects nothing',
      (d) => {
        const service = d.find(
          (o) => o.kind === 'Service' && o.metadata.name === 'flame-logic-service',
        );
        if (service)
          (service.spec as { selector: Record<string, string> }).selector = { app: 'nothing' };
      },
    ],
    [
      'target ports',
      'the frontend listens on 3000',
      (d) => {
        const port = containerIn(d, 'flame-frontend').ports?.[0];
        if (port) port.containerPort = 3000;
      },
    ],
    [
      'env names',
      'the frontend sets LOGIC_URLS (a typo)',
      (d) =>
        containerIn(d, 'flame-frontend').env?.push({ name: 'LOGIC_URLS', value: 'http://x:1' }),
    ],
    [
      'env names',
      'logic sets FAULT_RATE=lots',
      (d) => containerIn(d, 'flame-logic').env?.push({ name: 'FAULT_RATE', value: 'lots' }),
    ],
    [
      'NetworkPolicies',
      'the default-deny policy is missing',
      (d) =>
        d.splice(
          d.findIndex((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all'),
          1,
        ),
    ],
    [
      'NetworkPolicies',
      'postgres admits the frontend instead of logic',
      (d) => {
        const policy = d.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'postgres');
        const spec = policy?.spec as {
          ingress: { from: { podSelector: { matchLabels: object } }[] }[];
        };
        const peer = spec.ingress[0]?.from[0];
        if (peer) peer.podSelector.matchLabels = { app: 'flame-frontend' };
      },
    ],
    [
      'grace period',
      'the logic grace period is 8s',
      (d) => (workloadIn(d, 'flame-logic').spec.template.spec.terminationGracePeriodSeconds = 8),
    ],
    [
      'sizeLimit',
      'the logic tmp emptyDir has no sizeLimit',
      (d) => {
        const pod = workloadIn(d, 'flame-logic').spec.template.spec as {
          volumes?: { emptyDir?: object }[];
        };
        const volume = pod.volumes?.[0];
        if (volume) volume.emptyDir = {};
      },
    ],
    [
      'short name',
      'DATABASE_URL names postgres.flame.svc.cluster.local',
      (d) => {
        const env = containerIn(d, 'flame-logic').env?.find((e) => e.name === 'DATABASE_URL');
        if (env) env.value = env.value?.replace('@postgres:', '@postgres.flame.svc.cluster.local:');
      },
    ],
    [
      'short name',
      'LOGIC_URL names a Service that does not exist',
      (d) => {
        const env = containerIn(d, 'flame-frontend').env?.find((e) => e.name === 'LOGIC_URL');
        if (env) env.value = 'http://flame-logic:8081';
      },
    ],
    [
      'POSTGRES_IMAGE',
      'postgres runs postgres:17.6-alpine',
      (d) => (containerIn(d, 'postgres').image = 'postgres:17.6-alpine'),
    ],
    [
      'metrics port = METRICS_PORT',
      'logic declares no metrics port',
      (d) => containerIn(d, 'flame-logic').ports?.splice(1, 1),
    ],
    [
      'metrics port = METRICS_PORT',
      'the frontend listens for metrics on another port than it declares',
      (d) => {
        const env = containerIn(d, 'flame-frontend').env?.find((e) => e.name === 'METRICS_PORT');
        if (env) env.value = '9999';
      },
    ],
    [
      'metrics port = METRICS_PORT',
      'the logic pods carry no prometheus.io/scrape annotation',
      (d) => {
        const meta = workloadIn(d, 'flame-logic').spec.template.metadata as {
          annotations?: Record<string, string>;
        };
        delete meta.annotations?.['prometheus.io/scrape'];
      },
    ],
    [
      'no Service exposes a metrics port',
      'flame-logic-service exposes the metrics port',
      (d) => {
        (objectIn(d, 'Service', 'flame-logic-service').spec as { ports: object[] }).ports.push({
          name: 'metrics',
          port: 9465,
          targetPort: 'metrics',
        });
      },
    ],
    [
      'only pods labelled as scrapers',
      'the frontend admits any pod of any namespace to its metrics port',
      (d) => {
        const policy = objectIn(d, 'NetworkPolicy', 'flame-frontend');
        const rule = (policy.spec as { ingress: { from?: { podSelector?: object }[] }[] })
          .ingress[1];
        delete rule?.from?.[0]?.podSelector;
      },
    ],
    [
      'only pods labelled as scrapers',
      'the logic policy has no rule for scrapers',
      (d) => {
        const policy = objectIn(d, 'NetworkPolicy', 'flame-logic');
        (policy.spec as { ingress: object[] }).ingress.splice(1, 1);
      },
    ],
    [
      'prefer one replica per node',
      'logic has no topology spread',
      (d) => delete podSpecIn(d, 'flame-logic').topologySpreadConstraints,
    ],
    [
      'prefer one replica per node',
      'the frontend spread is DoNotSchedule (Pending on a one-node cluster)',
      (d) => {
        const spread = podSpecIn(d, 'flame-frontend').topologySpreadConstraints?.[0];
        if (spread) spread.whenUnsatisfiable = 'DoNotSchedule';
      },
    ],
    [
      'prefer one replica per node',
      'the logic spread counts the frontend pods',
      (d) => {
        const spread = podSpecIn(d, 'flame-logic').topologySpreadConstraints?.[0];
        if (spread) spread.labelSelector = { matchLabels: { app: 'flame-frontend' } };
      },
    ],
    [
      'tolerate a not-ready or unreachable node',
      'logic keeps the default 300 s tolerations',
      (d) => delete podSpecIn(d, 'flame-logic').tolerations,
    ],
    [
      'tolerate a not-ready or unreachable node',
      'the frontend tolerates an unreachable node for 120 s',
      (d) => {
        const unreachable = podSpecIn(d, 'flame-frontend').tolerations?.find(
          (t) => t.key === 'node.kubernetes.io/unreachable',
        );
        if (unreachable) unreachable.tolerationSeconds = 120;
      },
    ],
  ];
  for (const [checkName, violation, change] of cases) {
    const entry = Object.entries(checks).find(([name]) => name.includes(checkName));
    it(`"${checkName}…" fails when ${violation}`, () => {
      assert.ok(entry, `a check named like "${checkName}"`);
      assert.notDeepEqual(entry[1](mutated(change)), []);
    });
  }
});

describe('manifests match the names the services and scripts use', () => {
  it('has the Namespace, Deployments, StatefulSet and Services by name, each workload deploy waits for', () => {
    find('Namespace', 'flame');
    find('Deployment', 'flame-frontend');
    find('Deployment', 'flame-logic');
    const postgres = find<Workload>('StatefulSet', 'postgres');
    assert.equal((postgres.spec as { serviceName?: string }).serviceName, 'postgres');
    assert.ok(
      (postgres.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates?.length,
      'postgres has a PVC',
    );
    assert.equal((find('Service', 'postgres').spec as { clusterIP?: string }).clusterIP, 'None');
    assert.equal(
      (find('Service', 'flame-logic-service').spec as { type?: string }).type,
      'ClusterIP',
    );
    assert.equal((find('Service', 'flame-frontend').spec as { type?: string }).type, 'NodePort');
    assert.deepEqual(
      WORKLOADS.map((w) => w.split('/')[1]),
      workloads(objects).map((w) => w.metadata.name),
      'deploy waits for every workload, in apply order',
    );
  });

  it('labels pods app=<name>, which `kubectl logs -l app=flame-logic` relies on', () => {
    for (const w of workloads(objects))
      assert.equal(w.spec.template.metadata.labels.app, w.metadata.name);
  });

  it('points LOGIC_URL at flame-logic-service and DATABASE_URL at the postgres Service', () => {
    const frontendEnv = containerEnv(containerIn(objects, 'flame-frontend'));
    assert.equal(frontendEnv.LOGIC_URL, 'http://flame-logic-service:8081');
    const logicEnv = containerEnv(containerIn(objects, 'flame-logic'));
    const url = new URL(logicEnv.DATABASE_URL ?? '');
    assert.equal(url.hostname, 'postgres', 'the short name: one DNS lookup under ndots:5');
    assert.equal(url.port, '5432');
    assert.equal(
      url.password,
      'stand-in-db-password-0123456789abcdef',
      'password comes from the Secret',
    );
    const postgresEnv = containerEnv(containerIn(objects, 'postgres'));
    assert.equal(url.username, postgresEnv.POSTGRES_USER);
    assert.equal(url.pathname, `/${postgresEnv.POSTGRES_DB}`);
  });

  it('reads credentials only from the Secret the deploy script creates, with its keys', () => {
    const refs = workloads(objects).flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) =>
        (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? []),
      ),
    );
    assert.ok(refs.length >= 3);
    for (const ref of refs) {
      assert.equal(ref.name, SECRET_NAME);
      assert.ok((Object.values(SECRET_KEYS) as string[]).includes(ref.key), ref.key);
    }
    assert.doesNotMatch(JSON.stringify(objects), /"kind":"Secret"/, 'no Secret is committed');
  });

  it('gives the frontend the same admin token as logic, from the Secret, for the console relay', () => {
    const tokenRef = (container: string) =>
      (containerIn(objects, container).env ?? []).find((e) => e.name === 'ADMIN_TOKEN')?.valueFrom
        ?.secretKeyRef;
    assert.deepEqual(tokenRef('flame-frontend'), { name: SECRET_NAME, key: 'admin-token' });
    assert.deepEqual(tokenRef('flame-frontend'), tokenRef('flame-logic'));
  });

  it('sets no FAULT_* variable: faults are injected by the chaos runner only', () => {
    const names = (containerIn(objects, 'flame-logic').env ?? []).map((e) => e.name);
    assert.deepEqual(
      names.filter((n) => n.startsWith('FAULT_')),
      [],
    );
  });
});

describe('kind cluster configs (manifests/kind-cluster*.yaml, chosen by KIND_WORKERS)', async () => {
  // The subset of kind's v1alpha4 Cluster we use; strict, so a misspelt field fails.
  const portMapping = z.strictObject({
    containerPort: z.number().int(),
    hostPort: z.number().int(),
    listenAddress: z.string().optional(),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  });
  const kindConfig = z.strictObject({
    kind: z.literal('Cluster'),
    apiVersion: z.literal('kind.x-k8s.io/v1alpha4'),
    name: z.string(),
    nodes: z.array(
      z.strictObject({
        role: z.enum(['control-plane', 'worker']),
        image: z.string().optional(),
        extraPortMappings: z.array(portMapping).optional(),
      }),
    ),
  });
  const service = find('Service', 'flame-frontend').spec as { ports: { nodePort?: number }[] };
  const nodePort = service.ports[0]?.nodePort;

  for (const [workers, path] of Object.entries(CLUSTER_CONFIGS)) {
    const config = kindConfig.parse(parse(await readFile(path, 'utf8')));
    const roles = config.nodes.map((n) => n.role);

    it(`KIND_WORKERS=${workers}: a valid kind Cluster named flame with ${workers} workers`, () => {
      assert.equal(config.name, 'flame');
      assert.deepEqual(roles, ['control-plane', ...Array(Number(workers)).fill('worker')]);
    });

    // The control plane: no chaos scenario stops it, and its kube-proxy reaches a frontend
    // pod on any node through the NodePort.
    it(`KIND_WORKERS=${workers}: the control plane maps localhost:8080 to the flame-frontend NodePort`, () => {
      const [controlPlane, ...others] = config.nodes;
      const maps = (n: typeof controlPlane) =>
        (n?.extraPortMappings ?? []).some(
          (m) => m.hostPort === 8080 && m.containerPort === nodePort,
        );
      assert.ok(maps(controlPlane));
      assert.ok(!others.some(maps), 'a worker that publishes 8080 would take it away when lost');
    });
  }
});

describe('withImages (the deploy script sets the built image tags)', () => {
  const built = [
    { service: 'frontend' as const, ref: 'flame-frontend:0123456789ab', inputs: 'sha256:aaa' },
    { service: 'logic' as const, ref: 'flame-logic:0123456789ab-dirty', inputs: 'sha256:bbb' },
  ];

  it('replaces our placeholder images and stamps the image id on the pod template', () => {
    const rendered = withImages(documents, built);
    const images = rendered.flatMap(
      (o) => podTemplateOf(o)?.spec.containers.map((c) => c.image) ?? [],
    );
    assert.deepEqual(images.sort(), [
      'flame-frontend:0123456789ab',
      'flame-logic:0123456789ab-dirty',
      'postgres:17.11-alpine',
    ]);
    const logic = rendered.find(
      (o) => o.metadata.name === 'flame-logic' && o.kind === 'Deployment',
    );
    assert.equal(
      podTemplateOf(logic as KubeObject)?.metadata?.annotations?.[IMAGE_INPUTS_ANNOTATION],
      'sha256:bbb',
    );
    assert.equal(
      podTemplateOf(find('Deployment', 'flame-logic'))?.spec.containers[0]?.image,
      'flame-logic:dev',
      'the parsed manifests are left alone',
    );
  });

  it('withNodePort sets the frontend NodePort for a cluster made elsewhere, and nothing else', () => {
    const rendered = withNodePort(objects, 31234);
    const service = rendered.find(
      (o) => o.kind === 'Service' && o.metadata.name === 'flame-frontend',
    );
    assert.deepEqual(
      ((service?.spec ?? { ports: [] }) as { ports: { nodePort?: number }[] }).ports.map(
        (p) => p.nodePort,
      ),
      [31234],
    );
    const others = rendered.filter((o) => o !== service);
    assert.deepEqual(
      others,
      objects.filter((o) => !(o.kind === 'Service' && o.metadata.name === 'flame-frontend')),
    );
    assert.equal(
      (find('Service', 'flame-frontend').spec as { ports: { nodePort?: number }[] }).ports[0]
        ?.nodePort,
      DEFAULT_NODE_PORT,
      'the parsed manifests are left alone, and say the default',
    );
  });

  it('refuses to deploy when one of our images was not built', () => {
    assert.throws(
      () => withImages(documents, built.slice(0, 1)),
      /no built image for flame-logic:dev/,
    );
  });
});
