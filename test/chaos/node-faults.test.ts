// The node chaos scenarios' Docker-level actions (src/chaos/kind/node-faults.ts) on real
// containers standing in for kind nodes: what a frozen, lost or partitioned node looks like
// from another node, and that restore() puts back whatever an interrupted run left.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { NodeFaults } from '../../src/chaos/kind/node-faults.ts';
import {
  answers,
  canRunStandIns,
  ensureNodeStandinImage,
  NODE_STANDIN_IMAGE,
  standInCluster,
} from './support/node-standin.ts';

async function twoNodes(t: TestContext) {
  ensureNodeStandinImage();
  const { engine, network, names, other } = await standInCluster(t, ['worker', 'peer']);
  const [node, peer] = names as [string, string];
  const address = (await engine.inspect(node)).ips[network];
  assert.ok(address, `${node} has an address on ${network}`);
  assert.ok(await answers(peer, address), 'the node answers before any fault');
  return { engine, network, node, peer, address, other, faults: new NodeFaults(engine, network) };
}

describe('node faults on containers standing in for kind nodes (real Docker)', () => {
  it('freeze: the paused node keeps its process but stops answering; unpaused, it answers again', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, node, peer, address, faults } = await twoNodes(t);
    const before = await engine.inspect(node);
    await faults.inject(node, 'freeze');
    const frozen = await engine.inspect(node);
    assert.equal(frozen.paused, true);
    assert.equal(frozen.pid, before.pid, 'alive: the same process');
    assert.equal(await answers(peer, address), false, 'silent to another node');
    await faults.heal(node, 'freeze');
    assert.ok(await answers(peer, address));
    assert.equal((await engine.inspect(node)).pid, before.pid, 'the same process, thawed');
  });

  it('loss: the stopped node is gone at once; started again, it answers at the same address', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, node, peer, address, faults } = await twoNodes(t);
    const before = await engine.inspect(node);
    await faults.inject(node, 'loss');
    const lost = await engine.inspect(node);
    assert.equal(lost.running, false);
    assert.equal(lost.pid, 0);
    assert.equal(await answers(peer, address), false);
    const back = await faults.heal(node, 'loss');
    assert.notEqual(back.startedAt, before.startedAt, 'a new boot');
    assert.ok(await answers(peer, address));
  });

  it('partition: the disconnected node runs but is unreachable; reconnected, it answers at its old address', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, network, node, peer, address, faults } = await twoNodes(t);
    await faults.inject(node, 'partition');
    const cut = await engine.inspect(node);
    assert.equal(cut.running, true);
    assert.equal(cut.ips[network], undefined);
    assert.equal(await answers(peer, address), false);
    const back = await faults.heal(node, 'partition');
    assert.equal(back.ips[network], address);
    assert.ok(await answers(peer, address));
  });

  it('heal says so when the node came back with another address (someone took its own)', async (t) => {
    if (!canRunStandIns(t)) return;
    const { engine, network, node, address, faults, other } = await twoNodes(t);
    await faults.inject(node, 'partition');
    const squatter = other('squatter');
    // Docker gives a new container the lowest free address: the one the node left.
    await engine.run(['run', '-d', '--name', squatter, '--network', network, NODE_STANDIN_IMAGE]);
    assert.equal((await engine.inspect(squatter)).ips[network], address);
    await assert.rejects(faults.heal(node, 'partition'), /came back on .* with address .*, not /);
  });

  it('restore() after an interrupted run: every node running, unpaused and connected, from Docker state alone', async (t) => {
    if (!canRunStandIns(t)) return;
    ensureNodeStandinImage();
    const { engine, network, names } = await standInCluster(t, ['frozen', 'lost', 'cut', 'peer']);
    const [frozen, lost, cut, peer] = names as [string, string, string, string];
    const addresses = new Map<string, string>();
    for (const name of [frozen, lost, cut]) {
      addresses.set(name, (await engine.inspect(name)).ips[network] ?? '');
    }
    // The run that did this is gone: a new NodeFaults has nothing remembered.
    const interrupted = new NodeFaults(engine, network);
    await interrupted.inject(frozen, 'freeze');
    await interrupted.inject(lost, 'loss');
    await interrupted.inject(cut, 'partition');
    const lines = await new NodeFaults(engine, network).restore([frozen, lost, cut, peer]);
    assert.deepEqual(lines, [
      `node ${frozen} unpaused`,
      `node ${lost} started`,
      `node ${cut} connected to ${network}`,
    ]);
    for (const name of [frozen, lost, cut]) {
      const state = await engine.inspect(name);
      assert.equal(state.running && !state.paused, true, `${name} runs`);
      assert.ok(await answers(peer, addresses.get(name) ?? ''), `${name} answers`);
    }
    assert.deepEqual(await new NodeFaults(engine, network).restore([frozen, lost, cut]), []);
  });
});
