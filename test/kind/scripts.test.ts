import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { makeStandIns, REPO_ROOT, runScript, type StandIns } from './support/stand-ins.ts';

/** Each test has its own stand-ins and state, so the tests of a suite can run side by side. */
const CONCURRENT = { concurrency: 4 };

async function standIns(t: TestContext, tools?: string[]): Promise<StandIns> {
  const s = await makeStandIns(tools);
  t.after(() => s.cleanup());
  return s;
}

/** A kind config in the stand-ins' folder publishing `hostPort`, so tests never need 8080. */
async function clusterConfig(s: StandIns, hostPort: number): Promise<string> {
  const path = join(s.state, 'kind-cluster.yaml');
  await writeFile(
    path,
    `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: flame
nodes:
  - role: control-plane
    extraPortMappings:
      - containerPort: 30080
        hostPort: ${hostPort}
        listenAddress: 127.0.0.1
`,
  );
  return path;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cluster-up script (stand-in docker/kind/kubectl, no real cluster)', CONCURRENT, () => {
  it('creates the cluster from the config and KIND_NODE_IMAGE, exports its kubeconfig, waits for Ready nodes', async (t) => {
    const s = await standIns(t);
    const config = await clusterConfig(s, await freePort());
    const image = 'kindest/node:v1.37.0@sha256:abc';
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: config,
      KIND_NODE_IMAGE: image,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await s.calls(), [
      'docker info --format {{json .}}',
      'kind version',
      'kubectl version --client',
      'kind get clusters',
      `kind create cluster --name flame --config ${config} --image ${image} --wait 0s`,
      'kind export kubeconfig --name flame',
      'kubectl --context kind-flame wait --for=condition=Ready nodes --all --timeout=180s',
    ]);
    assert.match(run.stdout, /Creating kind cluster "flame"/);
  });

  it('does not create the cluster again when run twice', async (t) => {
    const s = await standIns(t);
    const env = { FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()) };
    assert.equal((await runScript('cluster-up', s, env)).code, 0);
    const second = await runScript('cluster-up', s, env);
    assert.equal(second.code, 0, second.stderr);
    const creates = (await s.calls()).filter((c) => c.startsWith('kind create'));
    assert.equal(creates.length, 1);
    assert.match(second.stdout, /already exists — not creating it/);
  });

  it('names every missing tool with an install hint and creates nothing', async (t) => {
    const s = await standIns(t, ['docker', 'git']);
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()),
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /kind is not installed \(not on PATH\) — install kind >= v0\.24\.0: https:\/\/kind\.sigs/,
    );
    assert.match(
      run.stderr,
      /kubectl is not installed \(not on PATH\) — install kubectl: https:\/\//,
    );
    assert.deepEqual(await s.calls(), ['docker info --format {{json .}}']);
  });

  it('reports an old kind (< 0.24 does not enforce NetworkPolicies) and a dead docker engine together', async (t) => {
    const s = await standIns(t);
    await s.scene('kind-version', 'kind v0.23.0 go1.22.2 linux/amd64\n');
    await s.scene('docker-down');
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()),
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /kind 0\.23\.0 is too old: v0\.24\.0 or newer is needed/);
    assert.match(
      run.stderr,
      /docker is installed but its engine does not answer .*Cannot connect to the Docker daemon/,
    );
    assert.ok(!(await s.calls()).some((c) => c.startsWith('kind create')));
  });

  it('stops before creating the cluster when the published host port is taken', async (t) => {
    const s = await standIns(t);
    const busy = createServer();
    const port = await listen(busy);
    t.after(() => new Promise((resolve) => busy.close(resolve)));
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, port),
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken`));
    assert.ok(!(await s.calls()).some((c) => c.startsWith('kind create')));
  });

  it('names what it waited for when the nodes do not become Ready in time', async (t) => {
    const s = await standIns(t);
    await s.scene('nodes-timeout');
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()),
      FLAME_NODES_TIMEOUT_S: '7',
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /Timed out after 7s waiting for the nodes of kind cluster "flame" to be Ready/,
    );
    assert.ok(
      (await s.calls()).includes(
        'kubectl --context kind-flame wait --for=condition=Ready nodes --all --timeout=7s',
      ),
    );
  });
});

describe('cluster-down script (stand-in kind, no real cluster)', CONCURRENT, () => {
  it('deletes the cluster when it exists and does nothing the second time', async (t) => {
    const s = await standIns(t);
    await s.scene('clusters', 'flame\n');
    const first = await runScript('cluster-down', s);
    assert.equal(first.code, 0, first.stderr);
    const second = await runScript('cluster-down', s);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /does not exist — nothing to delete/);
    assert.deepEqual(
      (await s.calls()).filter((c) => c.startsWith('kind delete')),
      ['kind delete cluster --name flame'],
    );
  });
});

/** A stand-in shop on 127.0.0.1 that records the requests the deploy smoke test makes. */
function fakeShop(mode: 'ok' | 'unavailable') {
  const requests: { method: string; url: string; key: string | undefined }[] = [];
  const orders = new Map<string, string>();
  const server = createServer((req, res) => {
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method ?? '', url: req.url ?? '', key });
    res.setHeader('content-type', 'application/json');
    if (mode === 'unavailable') {
      res.statusCode = 503;
      res.end('{"error":{"code":"SERVICE_UNAVAILABLE","message":"try later"}}');
      return;
    }
    if (req.method === 'GET' && req.url === '/api/events') {
      res.end(
        JSON.stringify({
          events: [
            { id: 'sold-out', available: 0 },
            { id: 'ev-1', available: 3 },
          ],
          stale: false,
        }),
      );
      return;
    }
    if (req.method === 'POST' && req.url === '/api/orders' && key) {
      const replay = orders.has(key);
      if (!replay) orders.set(key, `order-${orders.size + 1}`);
      res.statusCode = replay ? 200 : 201;
      res.setHeader('x-served-by', 'flame-logic-abc');
      res.end(JSON.stringify({ order: { id: orders.get(key) } }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return { server, requests };
}

/** Starts a stand-in shop for one test and returns its URL. */
async function startShop(t: TestContext, mode: 'ok' | 'unavailable') {
  const shop = fakeShop(mode);
  const url = `http://127.0.0.1:${await listen(shop.server)}`;
  t.after(() => new Promise((resolve) => shop.server.close(resolve)));
  return { url, requests: shop.requests };
}

describe(
  'deploy script (stand-in docker/kind/kubectl and a stand-in shop, no real cluster)',
  CONCURRENT,
  () => {
    async function clusterReady(t: TestContext): Promise<StandIns> {
      const s = await standIns(t);
      await s.scene('clusters', 'flame\n');
      return s;
    }

    it('builds, loads, creates the Secret, applies, waits for each rollout and buys one ticket', async (t) => {
      const s = await clusterReady(t);
      const shop = await startShop(t, 'ok');
      const run = await runScript('deploy', s, { FLAME_URL: shop.url });
      assert.equal(run.code, 0, run.stderr);
      const calls = (await s.calls()).filter(
        (c) => !/ (info|version)( |$)/.test(c) && !c.startsWith('git'),
      );
      assert.deepEqual(calls, [
        'kind get clusters',
        `docker build -f ${join(REPO_ROOT, 'Dockerfile.frontend')} -t flame-frontend:0123456789ab ${REPO_ROOT}`,
        'docker image inspect --format {{.Id}} flame-frontend:0123456789ab',
        `docker build -f ${join(REPO_ROOT, 'Dockerfile.logic')} -t flame-logic:0123456789ab ${REPO_ROOT}`,
        'docker image inspect --format {{.Id}} flame-logic:0123456789ab',
        'kind load docker-image flame-frontend:0123456789ab --name flame',
        'kind load docker-image flame-logic:0123456789ab --name flame',
        `kubectl --context kind-flame apply -f ${join(REPO_ROOT, 'manifests', 'flame', '00-namespace.yaml')}`,
        'kubectl --context kind-flame -n flame get secret flame-credentials -o name',
        'kubectl --context kind-flame -n flame create -f -',
        'kubectl --context kind-flame apply -f -',
        'kubectl --context kind-flame -n flame rollout status statefulset/postgres --timeout=300s',
        'kubectl --context kind-flame -n flame rollout status deployment/flame-logic --timeout=300s',
        'kubectl --context kind-flame -n flame rollout status deployment/flame-frontend --timeout=300s',
      ]);

      const applied = parseAllDocuments(await readFile(join(s.state, 'applied.yaml'), 'utf8')).map(
        (d) =>
          d.toJS() as {
            kind: string;
            spec?: { template?: { spec: { containers: { image: string }[] } } };
          },
      );
      const images = applied.flatMap(
        (o) => o.spec?.template?.spec.containers.map((c) => c.image) ?? [],
      );
      assert.deepEqual(images.sort(), [
        'flame-frontend:0123456789ab',
        'flame-logic:0123456789ab',
        'postgres:17.6-alpine',
      ]);

      const secret = JSON.parse(await readFile(join(s.state, 'secret.json'), 'utf8')) as {
        stringData: Record<string, string>;
      };
      const password = secret.stringData['db-password'] ?? '';
      const token = secret.stringData['admin-token'] ?? '';
      assert.match(password, /^[0-9a-f]{48}$/);
      assert.ok(token.length >= 16, 'the admin token satisfies ADMIN_TOKEN >= 16 chars');
      for (const text of [run.stdout, run.stderr, ...(await s.calls())]) {
        assert.ok(
          !text.includes(password) && !text.includes(token),
          'no credential is printed or on a command line',
        );
      }

      const smoke = shop.requests;
      assert.deepEqual(
        smoke.map((r) => `${r.method} ${r.url}`),
        ['GET /api/events', 'POST /api/orders', 'POST /api/orders'],
      );
      assert.ok(
        smoke[1]?.key && smoke[1].key === smoke[2]?.key,
        'the replay reuses the Idempotency-Key',
      );
      assert.match(run.stdout, /Smoke purchase ok: order order-\d+ served by flame-logic-abc/);
      assert.match(run.stdout, new RegExp(`FlameTickets is running: open ${shop.url}`));
      assert.match(run.stdout, /npm run logs/);
    });

    it('keeps an existing Secret on a second run', async (t) => {
      const s = await clusterReady(t);
      await s.scene('secret.json', '{"kept":true}');
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!(await s.calls()).some((c) => c.includes(' create -f -')));
      assert.equal(await readFile(join(s.state, 'secret.json'), 'utf8'), '{"kept":true}');
      assert.match(run.stdout, /Secret flame-credentials exists — keeping it/);
    });

    it('tags a changed tree -dirty, and falls back to save + kind load image-archive when load fails', async (t) => {
      const s = await clusterReady(t);
      await s.scene('load-docker-image-fails');
      await s.scene('git-status', ' M src/logic/orders.ts\n');
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 0, run.stderr);
      const calls = await s.calls();
      const save = calls.find(
        (c) => c.startsWith('docker save -o ') && c.endsWith(' flame-logic:0123456789ab-dirty'),
      );
      assert.ok(save, 'docker save of the logic image');
      const archive = save.split(' ')[3];
      assert.ok(calls.includes(`kind load image-archive ${archive} --name flame`));
    });

    it('names the workload when a rollout times out, and runs no smoke test', async (t) => {
      const s = await clusterReady(t);
      await s.scene('rollout-timeout', 'deployment/flame-logic\n');
      const shop = await startShop(t, 'ok');
      const run = await runScript('deploy', s, {
        FLAME_URL: shop.url,
        FLAME_ROLLOUT_TIMEOUT_S: '9',
      });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /Timed out after 9s waiting for deployment\/flame-logic to roll out/,
      );
      assert.ok(
        !(await s.calls()).some((c) => c.includes('rollout status deployment/flame-frontend')),
      );
      assert.equal(shop.requests.length, 0);
    });

    it('names the URL and the last answer when the smoke purchase keeps failing', async (t) => {
      const s = await clusterReady(t);
      const { url: downUrl } = await startShop(t, 'unavailable');
      const run = await runScript('deploy', s, { FLAME_URL: downUrl, FLAME_SMOKE_TIMEOUT_S: '1' });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `Timed out after 1s waiting for a smoke purchase through ${downUrl} \\(last attempt: GET /api/events answered 503\\)`,
        ),
      );
    });

    it('asks for cluster:up when the cluster does not exist', async (t) => {
      const s = await standIns(t);
      const run = await runScript('deploy', s, { FLAME_URL: (await startShop(t, 'ok')).url });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /kind cluster "flame" does not exist: run npm run cluster:up first/);
      assert.ok(!(await s.calls()).some((c) => c.startsWith('docker build')));
    });
  },
);

describe('images script (stand-in podman/kind, no real cluster)', CONCURRENT, () => {
  it('with KIND_EXPERIMENTAL_PROVIDER=podman builds with podman and loads through an archive', async (t) => {
    const s = await standIns(t, ['podman', 'kind', 'git']);
    await s.scene('clusters', 'flame\n');
    await s.scene('load-docker-image-fails');
    const run = await runScript('images', s, { KIND_EXPERIMENTAL_PROVIDER: 'podman' });
    assert.equal(run.code, 0, run.stderr);
    const calls = await s.calls();
    const ref = 'localhost/flame-logic:0123456789ab';
    assert.ok(calls.some((c) => c.startsWith('podman build ') && c.includes(` -t ${ref} `)));
    const save = calls.find((c) => c.startsWith('podman save -o ') && c.endsWith(` ${ref}`));
    assert.ok(save, 'podman save of the logic image');
    assert.ok(calls.includes(`kind load image-archive ${save.split(' ')[3]} --name flame`));
    assert.ok(!calls.some((c) => c.startsWith('docker')), 'docker is never called');
    assert.match(
      run.stdout,
      /Loaded localhost\/flame-frontend:0123456789ab and localhost\/flame-logic:0123456789ab/,
    );
  });
});

describe('logs and port-forward scripts (stand-in kubectl, no real cluster)', CONCURRENT, () => {
  it('logs follows both services with pod prefixes', async (t) => {
    const s = await standIns(t);
    const run = await runScript('logs', s);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      (await s.calls()).includes(
        'kubectl --context kind-flame -n flame logs --selector app in (flame-frontend,flame-logic) --follow --prefix --tail=20 --max-log-requests=20',
      ),
    );
  });

  it('port-forward forwards the chosen local port to the frontend Service', async (t) => {
    const s = await standIns(t);
    const run = await runScript('port-forward', s, {}, ['--port', '8099']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      (await s.calls()).includes(
        'kubectl --context kind-flame -n flame port-forward --address 127.0.0.1 service/flame-frontend 8099:8080',
      ),
    );
  });

  it('both say what to check when kubectl fails, and exit 1', async (t) => {
    const s = await standIns(t);
    await writeFile(join(s.state, 'not-deployed'), '');
    const logs = await runScript('logs', s);
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /kubectl logs exited 1 \(is the app deployed\? run npm run deploy\)/);
    const forward = await runScript('port-forward', s, {}, ['--port', '8099']);
    assert.equal(forward.code, 1);
    assert.match(
      forward.stderr,
      /kubectl port-forward exited 1 \(port 8099 taken\? try --port 8090; is the app deployed\?\)/,
    );
  });
});
