import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONCURRENT, clusterConfig, freePort, listen, standIns } from './support/harness.ts';
import { runScript, type StandIns } from './support/stand-ins.ts';

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
      'kubectl config current-context',
      'kind get clusters',
      `kind create cluster --name flame --config ${config} --image ${image} --wait 0s`,
      'kind export kubeconfig --name flame',
      'kubectl config current-context',
      'kubectl --context kind-flame wait --for=condition=Ready nodes --all --timeout=180s',
    ]);
    assert.match(run.stdout, /Creating kind cluster "flame"/);
  });

  it("leaves the user's current kubectl context as it was, though kind switched it", async (t) => {
    const s = await standIns(t);
    await s.scene('current-context', 'my-prod-cluster\n');
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      (await readFile(join(s.state, 'current-context'), 'utf8')).trim(),
      'my-prod-cluster',
    );
    assert.ok((await s.calls()).includes('kubectl config use-context my-prod-cluster'));
    assert.match(
      run.stdout,
      /kubectl's current context is still my-prod-cluster \(kind switched it; put back\)/,
    );
  });

  it('says that the kind cluster became the current context when there was none', async (t) => {
    const s = await standIns(t);
    const run = await runScript('cluster-up', s, {
      FLAME_CLUSTER_CONFIG: await clusterConfig(s, await freePort()),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kubectl had no current context; it is now kind-flame/);
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

describe('images script: which builder, which secrets (stand-in docker/kind)', CONCURRENT, () => {
  const builds = async (s: StandIns) =>
    (await s.calls()).filter((c) => c.startsWith('docker build '));

  it("builds with the engine's builtin BuildKit (DOCKER_BUILDKIT=1, no --load) when a client older than 23 has no buildx", async (t) => {
    const s = await standIns(t, ['docker', 'kind', 'git']);
    await s.scene('clusters', 'flame\n');
    await s.scene('no-buildx');
    await s.scene('client-version', '20.10.24+dfsg1\n');
    const run = await runScript('images', s);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /with the engine's builtin BuildKit \(no buildx plugin\)/);
    const calls = await builds(s);
    assert.equal(calls.length, 2);
    for (const call of calls) assert.match(call, /^docker build -f \S+Dockerfile\.\w+ -t flame-/);
    const env = (await readFile(join(s.state, 'buildkit-env'), 'utf8')).trim().split('\n');
    assert.deepEqual(env, ['1', '1']);
  });

  it('builds nothing and names what is missing when the only client is 23 or newer without buildx', async (t) => {
    const s = await standIns(t, ['docker', 'kind', 'git']);
    await s.scene('clusters', 'flame\n');
    await s.scene('no-buildx');
    const run = await runScript('images', s);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /no docker client here can build the images with BuildKit: \S+docker \(client 28\.2\.2\) has no buildx plugin .*legacy builder.*RUN --mount.* — install the buildx plugin/,
    );
    assert.deepEqual(await builds(s), []);
    assert.ok(!(await s.calls()).some((c) => c.startsWith('kind get')), 'checked before anything');
  });

  it('with buildx: --load, no provenance, the CA and npmrc as secrets and the base image as a build arg', async (t) => {
    const s = await standIns(t, ['docker', 'kind', 'git']);
    await s.scene('clusters', 'flame\n');
    const ca = join(s.state, 'proxy-ca.pem');
    const npmrc = join(s.state, 'npmrc');
    await writeFile(ca, 'not really a CA\n');
    await writeFile(npmrc, 'registry=http://127.0.0.1:4873/\n');
    const run = await runScript('images', s, {
      NODE_EXTRA_CA_CERTS: ca,
      FLAME_BUILD_NPMRC: npmrc,
      FLAME_NODE_BASE_IMAGE: 'mirror.example/node:24-slim',
    });
    assert.equal(run.code, 0, run.stderr);
    for (const call of await builds(s)) {
      assert.match(
        call,
        new RegExp(
          `^docker build --load --provenance=false --build-arg NODE_IMAGE=mirror\\.example/node:24-slim ` +
            `--secret id=npm_ca,src=${ca} --secret id=npmrc,src=${npmrc} -f `,
        ),
      );
    }
  });

  it('builds nothing when the CA file the settings name does not exist', async (t) => {
    const s = await standIns(t, ['docker', 'kind', 'git']);
    await s.scene('clusters', 'flame\n');
    const run = await runScript('images', s, { FLAME_BUILD_CA: '/nonexistent/ca.pem' });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /FLAME_BUILD_CA \(or NODE_EXTRA_CA_CERTS\) names \/nonexistent\/ca\.pem, which does not exist/,
    );
    assert.deepEqual(await builds(s), []);
  });
});

describe('logs and port-forward scripts (stand-in kubectl, no real cluster)', CONCURRENT, () => {
  it('logs keeps following through a rollout: the stream that ends is started again for the new pods', async (t) => {
    const s = await standIns(t);
    // Two streams: the old pods' (ends when they are replaced), then the new pods'; then the
    // pods are gone for good and logs gives up after FLAME_ROLLOUT_TIMEOUT_S.
    await s.scene(
      'log-streams',
      '[pod/flame-logic-old/logic] before the rollout\n[pod/flame-logic-new/logic] after the rollout\n',
    );
    const run = await runScript('logs', s, { FLAME_ROLLOUT_TIMEOUT_S: '1' });
    assert.match(
      run.stdout,
      /before the rollout[\s\S]*following the pods there are now[\s\S]*after the rollout/,
    );
    const streams = (await s.calls()).filter((c) => c.includes(' logs --selector '));
    const base =
      'kubectl --context kind-flame -n flame logs --selector app in (flame-frontend,flame-logic) --follow --prefix --max-log-requests=20';
    assert.equal(streams[0], `${base} --tail=20`);
    // From when the first stream started: the new pods' first lines are not lost.
    assert.match(
      streams[1] ?? '',
      new RegExp(`^${base.replace(/[()]/g, '\\$&')} --since-time=\\d{4}-\\d\\d-\\d\\dT`),
    );
    assert.equal(streams.length, 2);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Timed out after 1s waiting for flame pods to follow/);
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
    assert.match(
      logs.stderr,
      /no flame-frontend or flame-logic pod in namespace flame \(is the app deployed\? run npm run deploy\)/,
    );
    const forward = await runScript('port-forward', s, {}, ['--port', '8099']);
    assert.equal(forward.code, 1);
    assert.match(
      forward.stderr,
      /kubectl port-forward exited 1 \(port 8099 taken\? try --port 8090; is the app deployed\?\)/,
    );
  });
});

describe('cluster:state script (stand-in kubectl, no real cluster)', CONCURRENT, () => {
  it("writes pods, events, describe, NetworkPolicies and every pod's logs, and goes on past a failing call", async (t) => {
    const s = await standIns(t);
    await s.scene('pod-names', 'pod/flame-logic-a\npod/postgres-0\n');
    const out = join(s.state, 'kind-state');
    const run = await runScript('cluster-state', s, {}, ['--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const files = (await readdir(out)).sort();
    for (const file of [
      'objects.txt',
      'events.txt',
      'events-all-namespaces.txt',
      'describe-pods.txt',
      'describe-networkpolicies.txt',
      'logs-flame-logic-a.txt',
      'logs-postgres-0-previous.txt',
    ]) {
      assert.ok(files.includes(file), `${file} in ${files.join(', ')}`);
    }
    const events = await readFile(join(out, 'events.txt'), 'utf8');
    assert.match(
      events,
      /^\$ kubectl --context kind-flame -n flame get events --sort-by=\.metadata\.creationTimestamp\n# exit 0\n/,
    );
    const previous = await readFile(join(out, 'logs-flame-logic-a-previous.txt'), 'utf8');
    assert.match(previous, /# exit 1\n.*previous terminated container/);
    assert.match(run.stdout, new RegExp(`Wrote ${files.length} files of cluster state to ${out}`));
  });
});
