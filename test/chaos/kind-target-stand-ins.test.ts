// The kind target's kubectl command sequences, checked with a stand-in kubectl and a fake
// logic admin server on 127.0.0.1. No cluster, no Docker: nothing here touches Kubernetes.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { connectKindTarget, type KindConnection } from '../../src/chaos/kind/kind-target.ts';
import { probeResult } from '../../src/chaos/kind/network-probe.ts';
import { loadSettings } from '../../src/kube/settings.ts';
import { makeStandInKubectl, type StandInKubectl } from './support/stand-in-kubectl.ts';

const TOKEN = 'stand-in-admin-token-0123456789';
const FAKE_IDENTITY = {
  status: 'ok',
  replica: 'flame-logic-a',
  bootId: 'b00t0001',
  pid: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
};
const FAKE_FRONTEND_METRICS = [
  '# TYPE flame_logic_failed_attempts_total counter',
  'flame_logic_failed_attempts_total{call="orders",cause="status_5xx"} 7',
  'flame_logic_failed_attempts_total{call="orders",cause="timeout"} 2',
  'flame_logic_failed_attempts_total{call="orders",cause="network"} 0',
  'flame_logic_failed_attempts_total{call="other",cause="status_5xx"} 40',
  'flame_logic_retries_total 9',
].join('\n');

interface FakeAdmin {
  server: Server;
  port: number;
  faults: { auth: string | undefined; body: unknown }[];
}

async function startFakeAdmin(): Promise<FakeAdmin> {
  const faults: FakeAdmin['faults'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'PUT' && req.url === '/admin/faults') {
        faults.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        return void res.end(JSON.stringify({ replica: 'flame-logic-a', faults: JSON.parse(body) }));
      }
      if (req.url === '/admin/audit') return void res.end('{"events":[],"orders":[]}');
      if (req.url === '/healthz') return void res.end(JSON.stringify(FAKE_IDENTITY));
      if (req.url === '/metrics') return void res.end(FAKE_FRONTEND_METRICS);
      res.end('{"status":"ready"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, faults };
}

/** Every call except the pod listings that waits poll (their number depends on timing). */
const withoutPodLists = (calls: string[]) => calls.filter((c) => !c.startsWith('get pods '));

describe('chaos kind target, driven through a stand-in kubectl (no cluster involved)', () => {
  let kubectl: StandInKubectl;
  let admin: FakeAdmin;
  let kind: KindConnection;
  const savedPath = process.env.PATH;

  before(async () => {
    kubectl = await makeStandInKubectl();
    admin = await startFakeAdmin();
    process.env.PATH = `${kubectl.bin}:${savedPath}`;
    process.env.FAKE_STATE = kubectl.state;
    process.env.FAKE_TOKEN = TOKEN;
    process.env.FAKE_ADMIN_PORT = String(admin.port);
    kind = await connectKindTarget({ log: () => {}, settings: standInSettings() });
  });
  after(async () => {
    process.env.PATH = savedPath;
    admin.server.close();
    await kubectl.cleanup();
  });
  // Each test starts from the cluster as made: kills here rename pods (a replacement is
  // <name>-new), so a test that saw another's kill would depend on the order they ran in.
  beforeEach(async () => {
    await kubectl.reset();
    admin.faults.length = 0;
  });
  const standInSettings = () =>
    loadSettings({ FLAME_URL: `http://127.0.0.1:${admin.port}`, FLAME_ROLLOUT_TIMEOUT_S: '10' });

  it('reads the admin token from the Secret and the frontend per-attempt timeout', async () => {
    assert.equal(kind.context, 'kind-flame');
    assert.equal(kind.attemptTimeoutMs, 1500);
    await kind.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'before', seed: 10 });
    assert.deepEqual(
      admin.faults.map((f) => f.auth),
      [`Bearer ${TOKEN}`],
    );
  });

  it('sets faults on every logic replica with one PUT through one Ready pod (logic keeps them in its database)', async () => {
    await kind.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'after-commit', seed: 7 });
    const forwards = (await kubectl.calls()).filter((c) => c.startsWith('port-forward'));
    assert.deepEqual(forwards, ['port-forward --address 127.0.0.1 pod/flame-logic-a :8081']);
    assert.deepEqual(
      admin.faults.map((f) => f.body),
      [{ rate: 0.2, latencyMs: 0, mode: 'after-commit', seed: 7 }],
    );
  });

  it('replica-kill deletes one logic pod with grace 0 and times its replacement', async () => {
    const killed = await kind.target.killLogicReplica();
    const seconds = await kind.target.restoreLogicReplica();
    assert.equal(killed, 'flame-logic-a');
    assert.ok(seconds >= 0);
    const calls = await kubectl.calls();
    assert.ok(calls.includes('delete pod flame-logic-a --grace-period=0 --force --wait=false'));
    assert.ok(calls.some((c) => c === 'get pods -l app=flame-logic -o json'));
  });

  it('rolling-restart restarts the logic rollout and waits for it with a timeout', async () => {
    await kind.target.rollingRestartLogic();
    assert.deepEqual(await kubectl.calls(), [
      'rollout restart deployment/flame-logic',
      'rollout status deployment/flame-logic --timeout=10s',
    ]);
  });

  it('logic-down notes the replica count, scales logic to zero, then back, and forgets the note', async () => {
    await kind.target.stopAllLogic();
    await kind.target.startAllLogic();
    assert.deepEqual(withoutPodLists(await kubectl.calls()), [
      'annotate deployment/flame-logic flametickets.chaos/logic-replicas=2 --overwrite',
      'scale deployment/flame-logic --replicas=0',
      'scale deployment/flame-logic --replicas=2',
      'annotate deployment/flame-logic flametickets.chaos/logic-replicas-',
    ]);
  });

  // Never force-delete a StatefulSet pod: its replacement must wait for it to stop, or two
  // postgres pods could run on one volume at once.
  it('db-down deletes the postgres pod with a short grace period, without --force', async () => {
    const database = kind.target.controls.database;
    assert.ok(database, 'the kind target controls its database');
    await database.kill();
    assert.ok((await database.restore()) >= 0);
    const calls = await kubectl.calls();
    assert.ok(
      calls.includes('delete pod postgres-0 --grace-period=5 --wait=false'),
      calls.join('\n'),
    );
    assert.ok(!calls.some((c) => c.includes('--force')), calls.join('\n'));
    assert.ok(calls.includes('get pods -l app=postgres -o json'));
  });

  // An interrupted run must not leave logic at zero, faults on, or the probe behind.
  it("restore puts back logic's scale, clears faults on every pod and removes the probe", async () => {
    await kind.target.stopAllLogic();
    await kubectl.clearCalls();
    admin.faults.length = 0;
    const lines = await kind.target.restore();
    const calls = withoutPodLists(await kubectl.calls());
    assert.deepEqual(calls, [
      'get deployment/flame-logic -o json',
      'scale deployment/flame-logic --replicas=2',
      'annotate deployment/flame-logic flametickets.chaos/logic-replicas-',
      'port-forward --address 127.0.0.1 pod/flame-logic-a :8081',
      'delete pod flame-chaos-probe --ignore-not-found --wait=false',
      'delete networkpolicy flame-chaos-probe-egress --ignore-not-found',
    ]);
    assert.deepEqual(
      admin.faults.map((f) => f.body),
      [{ rate: 0, latencyMs: 0, mode: 'before' }],
    );
    assert.deepEqual(lines.slice(0, 2), [
      'logic scaled back from 0 to 2 replicas',
      'faults cleared on every logic replica (through flame-logic-a)',
    ]);
  });

  it('a run after an interrupted logic-down scales logic back to the noted count first', async () => {
    await kind.target.stopAllLogic();
    await kubectl.clearCalls();
    const again = await connectKindTarget({ log: () => {}, settings: standInSettings() });
    const calls = await kubectl.calls();
    assert.ok(calls.includes('scale deployment/flame-logic --replicas=2'), calls.join('\n'));
    await again.target.setFaults({ rate: 0, latencyMs: 0, mode: 'before' });
    await kind.target.restore();
  });

  it('frontend-kill deletes one frontend pod and waits for its replacement', async () => {
    const frontend = kind.target.controls.frontend;
    assert.ok(frontend, 'the kind target can delete a frontend pod');
    assert.equal(await frontend.kill(), 'flame-frontend-a');
    assert.ok((await frontend.restore()) >= 0);
    assert.ok(
      (await kubectl.calls()).includes(
        'delete pod flame-frontend-a --grace-period=0 --force --wait=false',
      ),
    );
  });

  it('network-policy runs a restricted probe pod without frontend labels, then probes from the frontend', async () => {
    const results = (await kind.target.controls.networkPolicy?.probe()) ?? [];
    assert.deepEqual(
      results.map((r) => [r.from, r.to, r.seen === r.expected]),
      [
        ['probe pod (no frontend labels)', 'logic :8081', true],
        ['probe pod (no frontend labels)', 'postgres :5432', true],
        ['frontend', 'logic :8081', true],
        ['frontend', 'postgres :5432', true],
      ],
    );
    const calls = await kubectl.calls();
    const run = calls.find((c) => c.startsWith('run flame-chaos-probe'));
    assert.ok(run?.includes('--labels=app=flame-chaos-probe'), run);
    assert.ok(run?.includes('"runAsNonRoot":true') && run.includes('"drop":["ALL"]'), run);
    const order = [
      'apply -f',
      'run flame-chaos-probe',
      'get pod flame-chaos-probe -o jsonpath={.status.phase}',
      'logs pod/flame-chaos-probe',
      'delete pod flame-chaos-probe --ignore-not-found --wait=false',
      'delete networkpolicy flame-chaos-probe-egress --ignore-not-found',
      'exec deployment/flame-frontend',
    ].map((prefix) => calls.findIndex((c) => c.startsWith(prefix)));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      calls.join('\n'),
    );
    assert.ok(!order.includes(-1), calls.join('\n'));
  });

  // Waiting for Succeeded alone would hang on a Failed probe pod until the rollout timeout,
  // its logs never read.
  it("reads the probe pod's logs when it ends Failed, without waiting for Succeeded", async () => {
    await writeFile(join(kubectl.state, 'probe-phase'), 'Failed');
    try {
      const results = (await kind.target.controls.networkPolicy?.probe()) ?? [];
      const calls = await kubectl.calls();
      assert.ok(calls.includes('logs pod/flame-chaos-probe'), calls.join('\n'));
      assert.equal(results[0]?.detail, 'blocked:ETIMEDOUT');
    } finally {
      await rm(join(kubectl.state, 'probe-phase'));
    }
  });

  it('reads each Ready logic pod’s identity from its /healthz through a port-forward', async () => {
    const identities = await kind.target.logicIdentities();
    const forwards = (await kubectl.calls()).filter((c) => c.startsWith('port-forward'));
    assert.equal(forwards.length, identities.length);
    assert.ok(
      forwards.every((c) => c.endsWith(':8081')),
      forwards.join('\n'),
    );
    assert.deepEqual(identities[0], {
      replica: 'flame-logic-a',
      bootId: 'b00t0001',
      pid: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it("sums the frontend pods' failed order attempts from their /metrics (METRICS_PORT 9464)", async () => {
    const counts = await kind.target.frontendCounts();
    const forwards = (await kubectl.calls()).filter((c) => c.startsWith('port-forward'));
    assert.deepEqual(forwards, [
      'port-forward --address 127.0.0.1 pod/flame-frontend-a :9464',
      'port-forward --address 127.0.0.1 pod/flame-frontend-b :9464',
    ]);
    assert.deepEqual(counts, {
      failedOrderAttempts: { status5xx: 14, timeout: 4, network: 0 },
      retries: 18,
    });
  });

  it("db-down's probe asks pg_isready inside the postgres pod", async () => {
    assert.equal(await kind.target.controls.database?.reachable(), true);
    assert.deepEqual(await kubectl.calls(), [
      'exec statefulset/postgres -- pg_isready --timeout=1',
    ]);
  });

  it('reads the audit through a port-forward to a Ready logic pod', async () => {
    assert.deepEqual(await kind.target.audit(), { events: [], orders: [] });
  });
});

describe('reading a network probe (no cluster)', () => {
  it('counts only dropped or refused connections as blocked; a DNS failure proves nothing', () => {
    const seen = (raw: string) => probeResult('probe', 'logic', 'blocked', raw).seen;
    assert.equal(seen('blocked'), 'blocked');
    assert.equal(seen('blocked:TimeoutError'), 'blocked');
    assert.equal(seen('blocked:ECONNREFUSED'), 'blocked');
    assert.equal(seen('blocked:ENOTFOUND'), 'unknown');
    assert.equal(seen('blocked:EAI_AGAIN'), 'unknown');
    assert.equal(seen('reachable'), 'reachable');
  });
});
