// The node scenarios' kind logic (src/chaos/kind/node-chaos.ts): which worker is taken, that
// the cluster is seen to notice through kubectl, that the node's pods are replaced before it
// is given back, and restore after an interrupt. kubectl is the repo's stand-in; the nodes are
// real containers (test/chaos/support/node-standin.ts), and a small node controller here
// plays Kubernetes: a node whose container is paused, stopped or disconnected turns not
// Ready, and its pods are replaced on another worker with new names and uids.
import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Cluster } from '../../src/chaos/kind/cluster.ts';
import { connectKindTarget } from '../../src/chaos/kind/kind-target.ts';
import { chooseNode, NodeChaos, type NodeSummary } from '../../src/chaos/kind/node-chaos.ts';
import { connectNodeControl } from '../../src/chaos/kind/node-control.ts';
import { NODE_FAULTS, NodeFaults } from '../../src/chaos/kind/node-faults.ts';
import { NODE_PARTITION } from '../../src/chaos/scenarios/nodes.ts';
import type { ScenarioContext } from '../../src/chaos/scenarios/scenario.ts';
import { type DockerEngine, dockerEngine } from '../../src/docker/engine.ts';
import { flameTarget, loadSettings, type PodSummary } from '../../src/kube/index.ts';
import { canRunStandIns, ensureNodeStandinImage, standInCluster } from './support/node-standin.ts';
import { makeStandInKubectl, type StandInKubectl } from './support/stand-in-kubectl.ts';

const pod = (name: string, node: string, ready = true): PodSummary => ({
  name,
  uid: `${name}-uid`,
  ready,
  node,
});
const node = (name: string, ready = true, controlPlane = false): NodeSummary => ({
  name,
  ready,
  controlPlane,
});

describe('chooseNode: the worker a node scenario takes away', () => {
  const nodes = [node('cp', true, true), node('w1'), node('w2')];

  it('takes a worker with a logic replica, not the control plane nor postgres’ node', () => {
    const logic = [pod('logic-a', 'w2'), pod('logic-b', 'w1')];
    assert.deepEqual(chooseNode(nodes, logic, [pod('postgres-0', 'w2')]), { node: 'w1' });
    assert.deepEqual(chooseNode(nodes, logic, [pod('postgres-0', 'w1')]), { node: 'w2' });
  });

  it('refuses when every Ready logic replica is on one node: buyers would have none left', () => {
    const choice = chooseNode(
      nodes,
      [pod('logic-a', 'w1'), pod('logic-b', 'w1'), pod('logic-c', 'w2', false)],
      [pod('postgres-0', 'w2')],
    );
    assert.ok('reason' in choice);
    assert.match(choice.reason, /logic: logic-a on w1, logic-b on w1, logic-c on w2/);
  });

  it('refuses on a one-node cluster', () => {
    const choice = chooseNode([node('cp', true, true)], [pod('logic-a', 'cp')], []);
    assert.ok('reason' in choice);
  });
});

/** The stand-in kubectl reads these files while the controller rewrites them. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** Plays the node controller and the replica sets over the stand-in kubectl's state files. */
function nodeController(
  engine: DockerEngine,
  network: string,
  state: string,
  names: { controlPlane: string; workers: [string, string]; replace: boolean },
) {
  let pods: Record<'logic' | 'frontend' | 'postgres', PodSummary[]> = {
    logic: [pod('flame-logic-a', names.workers[0]), pod('flame-logic-b', names.workers[1])],
    frontend: [
      pod('flame-frontend-a', names.workers[0]),
      pod('flame-frontend-b', names.workers[1]),
    ],
    postgres: [pod('postgres-0', names.workers[1])],
  };
  let stopped = false;
  // Resolved at the end of the first tick that starts after they were added.
  let waiters: (() => void)[] = [];
  const restarted: Partial<Record<'logic' | 'frontend', number>> = {};
  const all = [names.controlPlane, ...names.workers];
  const write = async (ready: Map<string, boolean>) => {
    const nodes = all.map((n) => ({
      metadata: {
        name: n,
        labels: n === names.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {},
      },
      status: { conditions: [{ type: 'Ready', status: ready.get(n) ? 'True' : 'Unknown' }] },
    }));
    await writeAtomically(join(state, 'nodes.json'), JSON.stringify({ items: nodes }));
    for (const [app, list] of Object.entries(pods)) {
      const items = list.map((p) => ({
        metadata: { name: p.name, uid: p.uid },
        spec: { nodeName: p.node },
        status: { conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
      }));
      await writeAtomically(
        join(state, `pods-${app}.items`),
        items.map((i) => JSON.stringify(i)).join(','),
      );
    }
  };
  const tick = async () => {
    const waiting = waiters;
    waiters = [];
    const ready = new Map<string, boolean>();
    for (const n of all) {
      // find: the test's clean-up may remove the containers before this loop stops.
      const s = await engine.find(n);
      ready.set(n, Boolean(s?.running && !s.paused && s.ips[network] !== undefined));
    }
    // A lost node's Deployment pods are replaced on a Ready worker; postgres waits for it.
    const spare = names.workers.find((w) => ready.get(w));
    const move = (p: PodSummary) =>
      ready.get(p.node ?? '') || !spare || !names.replace ? p : pod(`${p.name}-moved`, spare);
    pods = {
      logic: pods.logic.map(move),
      frontend: pods.frontend.map(move),
      postgres: pods.postgres,
    };
    // A rollout restart places new pods over both workers, as the spread rule would.
    const calls = await readFile(join(state, 'calls.log'), 'utf8').catch(() => '');
    for (const app of ['logic', 'frontend'] as const) {
      const restarts = calls.split(`rollout restart deployment/flame-${app}`).length - 1;
      if (restarts > (restarted[app] ?? 0)) {
        restarted[app] = restarts;
        pods[app] = pods[app].map((p, i) =>
          pod(`${p.name}-r${restarts}`, names.workers[i % 2] as string),
        );
      }
    }
    await write(ready);
    for (const resolve of waiting) resolve();
  };
  // One tick at a time: the first one written before the tests read anything. The 200 ms
  // between ticks is kept on purpose: it is the stand-in's reconcile period, as Kubernetes'
  // node controller looks at nodes periodically; no test waits on it (each waits for what
  // kubectl shows, or for caughtUp()).
  const first = tick();
  const loop = (async () => {
    await first;
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tick();
    }
  })();
  return {
    first,
    /** Resolves once the controller has seen everything done so far (a rollout restart). */
    caughtUp: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe('NodeChaos through the stand-in kubectl, on stand-in node containers', () => {
  let kubectl: StandInKubectl;
  const savedPath = process.env.PATH;
  before(async () => {
    kubectl = await makeStandInKubectl();
    process.env.PATH = `${kubectl.bin}:${savedPath}`;
    process.env.FAKE_STATE = kubectl.state;
  });
  after(async () => {
    process.env.PATH = savedPath;
    await kubectl.cleanup();
  });

  async function cluster(t: TestContext, { timeoutMs = 30_000, replace = true } = {}) {
    ensureNodeStandinImage();
    const standIns = await standInCluster(t, ['control-plane', 'worker', 'worker2']);
    const [controlPlane, worker, worker2] = standIns.names as [string, string, string];
    await kubectl.clearCalls();
    const controller = nodeController(standIns.engine, standIns.network, kubectl.state, {
      controlPlane,
      workers: [worker, worker2],
      replace,
    });
    t.after(() => controller.stop());
    await controller.first;
    const lines: string[] = [];
    const kube = new Cluster(flameTarget('kind-flame'), (l) => lines.push(l), timeoutMs);
    const faults = new NodeFaults(standIns.engine, standIns.network);
    const choice = await connectNodeControl(kube, faults, { logic: 2, frontend: 2 });
    assert.ok('control' in choice, 'whyNot' in choice ? choice.whyNot : '');
    return {
      ...standIns,
      chaos: choice.control,
      controller,
      faults,
      kube,
      worker,
      worker2,
      lines,
    };
  }

  for (const fault of NODE_FAULTS) {
    it(`node-${fault}: takes the worker without postgres, sees it not Ready, waits for its pods elsewhere, gives it back Ready`, async (t) => {
      if (!canRunStandIns(t)) return;
      const { engine, network, chaos, worker } = await cluster(t);
      const taken = await chaos.take(fault);
      assert.equal(taken.node, worker);
      assert.deepEqual(taken.logicPods, ['flame-logic-a']);
      assert.deepEqual(taken.frontendPods, ['flame-frontend-a']);
      assert.ok(taken.notReadySeconds >= 0);
      const away = await engine.inspect(worker);
      assert.equal(away.running && !away.paused && away.ips[network] !== undefined, false);
      const back = await chaos.giveBack();
      assert.ok(back.replacedSeconds >= taken.notReadySeconds);
      assert.deepEqual(back.replacementPods, ['flame-logic-a-moved'], 'seen by kubectl');
      const state = await engine.inspect(worker);
      assert.equal(state.running && !state.paused, true);
      assert.ok(state.ips[network]);
    });
  }

  it('giveBack does not give the node back until its pods run elsewhere; restore then does', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, chaos, worker } = await cluster(t, { timeoutMs: 3000, replace: false });
    await chaos.take('freeze');
    await assert.rejects(chaos.giveBack(), /Timed out .* Ready logic pods without those of node/);
    assert.equal((await engine.inspect(worker)).paused, true, 'not healed: nothing replaced it');
    assert.deepEqual(await chaos.restore(), [`node ${worker} unpaused`]);
  });

  it('restore after an interrupted node-loss starts the node again, knowing nothing of the run', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, network, kube, chaos, worker } = await cluster(t);
    await chaos.take('loss');
    const fresh = new NodeChaos(kube, new NodeFaults(engine, network), { logic: 2, frontend: 2 });
    assert.deepEqual(await fresh.restore(), [`node ${worker} started`]);
    assert.equal((await engine.inspect(worker)).running, true);
    assert.deepEqual(await fresh.restore(), []);
  });

  it('offers node scenarios only on a cluster with workers whose nodes are containers here', async (t) => {
    const kube = new Cluster(flameTarget('kind-flame'), () => {}, 5000);
    const nodesFile = join(kubectl.state, 'nodes.json');
    const counts = { logic: 2, frontend: 2 };
    const cp = { 'node-role.kubernetes.io/control-plane': '' };
    const faults = new NodeFaults(dockerEngine(), 'flame-test-no-network');
    await writeFile(
      nodesFile,
      JSON.stringify({ items: [{ metadata: { name: 'flame-control-plane', labels: cp } }] }),
    );
    const single = await connectNodeControl(kube, faults, counts);
    assert.match(
      'whyNot' in single ? single.whyNot : '',
      /no worker nodes .*KIND_WORKERS=2 npm run cluster:up/,
    );
    if (!canRunStandIns(t)) return;
    await writeFile(
      nodesFile,
      JSON.stringify({
        items: [
          { metadata: { name: 'flame-test-absent-control-plane', labels: cp } },
          { metadata: { name: 'flame-test-absent-worker' } },
        ],
      }),
    );
    const elsewhere = await connectNodeControl(kube, faults, counts);
    assert.match(
      'whyNot' in elsewhere ? elsewhere.whyNot : '',
      /node flame-test-absent-control-plane is no container on this machine's engine/,
    );
  });

  it('the kind target runs node-partition: inject sees the node not Ready, rollback gives it back; restore() after an interrupted node-freeze', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, network, worker, controller } = await cluster(t);
    const admin = await fakeAdmin(t);
    process.env.FAKE_TOKEN = 'stand-in-admin-token-0123456789';
    process.env.FAKE_ADMIN_PORT = String(admin.port);
    const settings = loadSettings({
      FLAME_URL: `http://127.0.0.1:${admin.port}`,
      FLAME_ROLLOUT_TIMEOUT_S: '30',
      KIND_EXPERIMENTAL_DOCKER_NETWORK: network,
    });
    const { target } = await connectKindTarget({ log: () => {}, settings });
    assert.ok(target.controls.nodes, JSON.stringify(target.whyNot));
    let clock = 0;
    const context: ScenarioContext = {
      target,
      seed: 1,
      attemptTimeoutMs: 2000,
      observed: {},
      now: () => (clock += 10),
      stockIds: () => [],
      purchasesAnsweredBy: () => 0,
    };
    await NODE_PARTITION.inject(context);
    assert.equal(context.observed.node?.node, worker);
    assert.deepEqual(context.observed.node?.logicPods, ['flame-logic-a']);
    assert.equal((await engine.inspect(worker)).ips[network], undefined, 'cut off');
    await NODE_PARTITION.rollback(context);
    assert.ok((await engine.inspect(worker)).ips[network], 'reconnected');
    assert.ok(context.observed.node?.nodeReadySeconds !== undefined);
    assert.ok(context.observed.replicasAfter);
    const calls = await kubectl.calls();
    for (const app of ['logic', 'frontend']) {
      assert.ok(calls.includes(`rollout restart deployment/flame-${app}`), 'spread again');
    }

    // The stand-in kubectl answers `rollout status` at once; a cluster would wait for the pods.
    await controller.caughtUp();
    await target.controls.nodes.take('freeze');
    const lines = await target.restore();
    assert.equal(lines[0], `node ${worker} unpaused`);
    assert.equal((await engine.inspect(worker)).paused, false);
  });
});

/** Just enough of logic's admin API for the kind target to connect and read identities. */
async function fakeAdmin(t: TestContext): Promise<{ port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/healthz') {
        const identity = {
          status: 'ok',
          replica: 'flame-logic-b',
          bootId: 'b1',
          pid: 1,
          startedAt: '',
        };
        return void res.end(JSON.stringify(identity));
      }
      if (req.method === 'PUT') return void res.end('{"replica":"flame-logic-b","faults":{}}');
      res.end('{"status":"ready"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return { port: (server.address() as AddressInfo).port };
}
