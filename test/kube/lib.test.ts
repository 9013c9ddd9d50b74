import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { listPods, portForward, readSecretKey } from '../../src/kube/kubectl.ts';
import { loadSettings } from '../../src/kube/settings.ts';
import { ScriptError } from '../../src/kube/shell.ts';
import { parseVersion, versionAtLeast } from '../../src/kube/tools.ts';
import { waitFor, withProgress } from '../../src/kube/wait.ts';
import { makeStandIns, type StandIns } from './support/stand-ins.ts';

/** Puts the stand-ins first on PATH for in-process helpers; restored after the test. */
async function onPath(t: TestContext): Promise<StandIns> {
  const s = await makeStandIns();
  const saved = { PATH: process.env.PATH, FAKE_STATE: process.env.FAKE_STATE };
  process.env.PATH = `${s.bin}:${saved.PATH}`;
  process.env.FAKE_STATE = s.state;
  t.after(async () => {
    process.env.PATH = saved.PATH;
    if (saved.FAKE_STATE === undefined) delete process.env.FAKE_STATE;
    else process.env.FAKE_STATE = saved.FAKE_STATE;
    await s.cleanup();
  });
  return s;
}

const target = { context: 'kind-flame', namespace: 'flame' };

describe('waitFor (script helper)', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    const value = await waitFor('the third try', async () => (++calls === 3 ? 'done' : undefined), {
      timeoutMs: 5000,
      intervalMs: 1,
    });
    assert.equal(value, 'done');
    assert.equal(calls, 3);
  });

  it('times out naming what it waited for and the last reason', async () => {
    await assert.rejects(
      waitFor(
        'logic to answer',
        async () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
      (error: unknown) =>
        error instanceof ScriptError &&
        /^Timed out after 0s waiting for logic to answer \(last attempt: ECONNREFUSED\)$/.test(
          error.message,
        ),
    );
  });
});

describe('withProgress (every wait of the scripts, so none is silent)', () => {
  it('says "still waiting" every interval while the work lasts, and stops once it settles', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const lines: string[] = [];
    let finish = (): void => undefined;
    const work = new Promise<string>((resolve) => {
      finish = () => resolve('rolled out');
    });
    const progress = { everyMs: 10_000, report: (line: string) => lines.push(line) };
    const done = withProgress('deployment/flame-logic to roll out', 300_000, progress, () => work);
    t.mock.timers.tick(9_999);
    assert.deepEqual(lines, []);
    t.mock.timers.tick(1);
    t.mock.timers.tick(10_000);
    assert.deepEqual(lines, [
      'still waiting for deployment/flame-logic to roll out (10s of 300s)',
      'still waiting for deployment/flame-logic to roll out (20s of 300s)',
    ]);
    finish();
    assert.equal(await done, 'rolled out');
    t.mock.timers.tick(60_000);
    assert.equal(lines.length, 2, 'no line after the wait ended');
  });

  it('stops reporting when the work fails, and passes the failure on', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const lines: string[] = [];
    const progress = { everyMs: 1000, report: (line: string) => lines.push(line) };
    await assert.rejects(
      withProgress('kind to create "flame"', undefined, progress, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    t.mock.timers.tick(5000);
    assert.deepEqual(lines, []);
  });
});

describe('kubectl helpers for the chaos runner (stand-in kubectl, no real cluster)', () => {
  it('readSecretKey decodes one key of a Secret', async (t) => {
    const s = await onPath(t);
    const token = 'a-very-secret-admin-token';
    await s.scene(
      'secret-get.json',
      JSON.stringify({ data: { 'admin-token': Buffer.from(token).toString('base64') } }),
    );
    assert.equal(await readSecretKey(target, 'flame-credentials', 'admin-token'), token);
    await assert.rejects(readSecretKey(target, 'flame-credentials', 'nope'), /has no key "nope"/);
    assert.deepEqual(await s.calls(), [
      'kubectl --context kind-flame -n flame get secret flame-credentials -o json',
      'kubectl --context kind-flame -n flame get secret flame-credentials -o json',
    ]);
  });

  it('portForward resolves with the local port kubectl picked, and close() stops it', async (t) => {
    const s = await onPath(t);
    const forward = await portForward(target, 'pod/flame-logic-abc', 8081, { timeoutMs: 5000 });
    assert.equal(forward.localPort, 43210);
    await forward.close();
    assert.notEqual(forward.process.exitCode ?? forward.process.signalCode, null);
    assert.deepEqual(await s.calls(), [
      'kubectl --context kind-flame -n flame port-forward --address 127.0.0.1 pod/flame-logic-abc :8081',
    ]);
  });

  it('portForward rejects with kubectl’s reason when it exits first', async (t) => {
    await onPath(t);
    await assert.rejects(
      portForward(target, 'pod/missing', 8081, { timeoutMs: 5000 }),
      /port-forward to pod\/missing:8081 ended early \(exit 1\): error: pods "missing" not found/,
    );
  });

  it('listPods reads names, uids, nodes and readiness, and counts a terminating pod as not ready', async (t) => {
    const s = await onPath(t);
    const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
    await s.scene(
      'pods.json',
      JSON.stringify({
        items: [
          {
            metadata: { name: 'flame-logic-a', uid: 'u-a' },
            spec: { nodeName: 'flame-worker' },
            status: ready,
          },
          {
            metadata: { name: 'flame-logic-b' },
            status: { conditions: [{ type: 'Ready', status: 'False' }] },
          },
          {
            metadata: { name: 'flame-logic-c', deletionTimestamp: '2026-01-01T00:00:00Z' },
            status: ready,
          },
        ],
      }),
    );
    assert.deepEqual(await listPods(target, 'app=flame-logic'), [
      { name: 'flame-logic-a', uid: 'u-a', ready: true, node: 'flame-worker' },
      { name: 'flame-logic-b', uid: 'flame-logic-b', ready: false, node: undefined },
      { name: 'flame-logic-c', uid: 'flame-logic-c', ready: false, node: undefined },
    ]);
    assert.deepEqual(await s.calls(), [
      'kubectl --context kind-flame -n flame get pods -l app=flame-logic -o json',
    ]);
  });
});

describe('settings and versions (script helpers)', () => {
  it('reads every knob with defaults, and reports bad ones together', () => {
    const settings = loadSettings({});
    assert.equal(settings.clusterName, 'flame');
    assert.equal(settings.kubeContext, 'kind-flame');
    assert.equal(settings.url, 'http://localhost:8080');
    assert.equal(settings.containerCli, 'docker');
    assert.equal(loadSettings({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }).containerCli, 'podman');
    assert.throws(
      () => loadSettings({ FLAME_ROLLOUT_TIMEOUT_S: 'soon', FLAME_SMOKE_TIMEOUT_S: '-1' }),
      /FLAME_ROLLOUT_TIMEOUT_S must be .*\n.*FLAME_SMOKE_TIMEOUT_S must be/,
    );
  });

  it('KIND_WORKERS chooses the one-node or the three-node cluster config, and only those', () => {
    assert.match(loadSettings({}).clusterConfig, /manifests\/kind-cluster\.yaml$/);
    assert.match(loadSettings({ KIND_WORKERS: '0' }).clusterConfig, /kind-cluster\.yaml$/);
    assert.match(
      loadSettings({ KIND_WORKERS: '2' }).clusterConfig,
      /manifests\/kind-cluster-multi\.yaml$/,
    );
    assert.equal(
      loadSettings({ FLAME_CLUSTER_CONFIG: '/tmp/c.yaml' }).clusterConfig,
      '/tmp/c.yaml',
    );
    assert.throws(
      () => loadSettings({ KIND_WORKERS: '3' }),
      /KIND_WORKERS must be 0 or 2 \(got "3"\)/,
    );
    assert.throws(
      () => loadSettings({ KIND_WORKERS: '2', FLAME_CLUSTER_CONFIG: '/tmp/c.yaml' }),
      /set KIND_WORKERS or FLAME_CLUSTER_CONFIG, not both/,
    );
  });

  it('compares versions numerically', () => {
    assert.deepEqual(parseVersion('kind v0.24.0 go1.22.6 linux/amd64'), [0, 24, 0]);
    assert.ok(versionAtLeast([0, 100, 0], [0, 24, 0]));
    assert.ok(!versionAtLeast([0, 9, 9], [0, 24, 0]));
  });
});
