import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../kube/index.ts';
import type { ProbeResult } from '../targets/target.ts';
import type { Cluster } from './cluster.ts';

export const PROBE_POD = 'flame-chaos-probe';
export const PROBE_EGRESS_POLICY = 'flame-chaos-probe-egress';

/**
 * The namespace denies all egress by default, so without this the probe pod would be stopped
 * by its own egress rule and "blocked" would say nothing about logic's and postgres's ingress
 * policies. Lets the probe pod send anywhere; removed after the probe.
 */
export const PROBE_EGRESS_POLICY_DOCUMENT = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: PROBE_EGRESS_POLICY },
  spec: {
    podSelector: { matchLabels: { app: PROBE_POD } },
    policyTypes: ['Egress'],
    egress: [{}],
  },
};

/**
 * A node script run inside a pod: tries an HTTP GET on logic and a TCP connect to postgres,
 * each with a 3 s timeout, and prints one JSON line {logic, postgres} of reachable/blocked.
 */
export const PROBE_SCRIPT = `
const net = require('node:net');
const tcp = (host, port) => new Promise((done) => {
  const socket = net.connect({ host, port, timeout: 3000 });
  socket.once('connect', () => { socket.destroy(); done('reachable'); });
  socket.once('timeout', () => { socket.destroy(); done('blocked'); });
  socket.once('error', (e) => done('blocked:' + e.code));
});
const http = (url) => fetch(url, { signal: AbortSignal.timeout(3000) })
  .then((r) => 'reachable')
  .catch((e) => 'blocked:' + (e.cause && e.cause.code || e.name));
Promise.all([http('http://flame-logic-service:8081/healthz'), tcp('postgres', 5432)])
  .then(([logic, postgres]) => console.log(JSON.stringify({ logic, postgres })));
`.trim();

/** Restricted Pod Security: the probe pod must run as the namespace demands. */
function probeOverrides(image: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    spec: {
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: PROBE_POD,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['node', '-e', PROBE_SCRIPT],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  });
}

type Seen = { logic?: string; postgres?: string };

function parseProbe(output: string): Seen {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  try {
    return line ? (JSON.parse(line) as Seen) : {};
  } catch {
    return {};
  }
}

/**
 * A policy drops packets (a timeout) or rejects them (refused, unreachable, reset). A name that
 * does not resolve, or any other error, means the probe tested nothing: unknown, never blocked.
 */
const BLOCKED =
  /^blocked(:(TimeoutError|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET))?$/;

export function probeResult(
  from: string,
  to: string,
  expected: ProbeResult['expected'],
  raw: string | undefined,
): ProbeResult {
  const seen =
    raw === undefined
      ? 'unknown'
      : raw === 'reachable'
        ? 'reachable'
        : BLOCKED.test(raw)
          ? 'blocked'
          : 'unknown';
  return { from, to, expected, seen, detail: raw ?? 'no answer from the probe' };
}

async function applyProbeEgressPolicy(cluster: Cluster): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flame-probe-'));
  try {
    const file = join(dir, 'probe-egress.json');
    await writeFile(file, JSON.stringify(PROBE_EGRESS_POLICY_DOCUMENT));
    await cluster.run('letting the probe pod send anywhere', ['apply', '-f', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls the probe pod's phase until it ended, Succeeded or Failed (kubectl wait takes one). */
async function waitForProbeToEnd(cluster: Cluster): Promise<'Succeeded' | 'Failed'> {
  return waitFor(
    `the probe pod ${PROBE_POD} to end (Succeeded or Failed)`,
    async () => {
      const phase = (
        await cluster.run('reading the probe pod phase', [
          'get',
          'pod',
          PROBE_POD,
          '-o',
          'jsonpath={.status.phase}',
        ])
      ).trim();
      return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
    },
    { timeoutMs: cluster.timeoutMs, intervalMs: 500, log: cluster.log },
  );
}

/** A probe that failed proves nothing it did not print: each missing answer says why. */
function failedProbe(seen: Seen, logs: string): Seen {
  const why = `probe pod Failed: ${logs.trim().split('\n').slice(-1)[0] || 'no output'}`;
  return { logic: seen.logic ?? why, postgres: seen.postgres ?? why };
}

/**
 * A pod without the frontend's labels must reach neither logic nor postgres; the frontend
 * must reach logic but not postgres. Uses the frontend image (already on the node, has node).
 */
export async function probeNetworkPolicy(cluster: Cluster): Promise<ProbeResult[]> {
  const stranger = await probeFromStranger(cluster);
  const frontend = parseProbe(
    await cluster.run('probing from a frontend pod', [
      'exec',
      'deployment/flame-frontend',
      '--',
      'node',
      '-e',
      PROBE_SCRIPT,
    ]),
  );
  return [
    probeResult('probe pod (no frontend labels)', 'logic :8081', 'blocked', stranger.logic),
    probeResult('probe pod (no frontend labels)', 'postgres :5432', 'blocked', stranger.postgres),
    probeResult('frontend', 'logic :8081', 'reachable', frontend.logic),
    probeResult('frontend', 'postgres :5432', 'blocked', frontend.postgres),
  ];
}

/** Runs the probe in a pod without the frontend's labels and reads what it saw; cleans up. */
async function probeFromStranger(cluster: Cluster): Promise<Seen> {
  const image = (
    await cluster.run('reading the frontend image', [
      'get',
      'deployment/flame-frontend',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ])
  ).trim();
  await cluster.run('removing an old probe pod', [
    'delete',
    'pod',
    PROBE_POD,
    '--ignore-not-found',
    '--wait=true',
    '--timeout=60s',
  ]);
  try {
    await applyProbeEgressPolicy(cluster);
    await cluster.run('starting the probe pod', [
      'run',
      PROBE_POD,
      `--image=${image}`,
      '--restart=Never',
      '--labels=app=flame-chaos-probe',
      `--overrides=${probeOverrides(image)}`,
    ]);
    const phase = await waitForProbeToEnd(cluster);
    // A Failed probe still printed what it could: read the logs either way.
    const logs = await cluster.run('reading the probe result', ['logs', `pod/${PROBE_POD}`]);
    const seen = parseProbe(logs);
    return phase === 'Failed' ? failedProbe(seen, logs) : seen;
  } finally {
    await removeProbe(cluster);
  }
}

/** Best effort: the probe pod and its egress policy, gone. */
async function removeProbe(cluster: Cluster): Promise<void> {
  await cluster
    .run('deleting the probe pod', [
      'delete',
      'pod',
      PROBE_POD,
      '--ignore-not-found',
      '--wait=false',
    ])
    .catch(() => undefined);
  await cluster
    .run('removing the probe egress policy', [
      'delete',
      'networkpolicy',
      PROBE_EGRESS_POLICY,
      '--ignore-not-found',
    ])
    .catch(() => undefined);
}
