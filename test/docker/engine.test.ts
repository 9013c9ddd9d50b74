import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { DockerError, dockerEngine } from '../../src/docker/engine.ts';
import { ensureSleeperImage, SLEEPER_IMAGE, scratchNames } from './support/sleeper.ts';

/** The kernel's view of a process: `T` (stopped) is what the freezer leaves a paused one in. */
async function processState(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
}

describe('Docker-level actions on real containers (src/docker/engine.ts)', () => {
  const engine = dockerEngine({ timeoutMs: 60_000 });
  before(() => ensureSleeperImage());

  it('pause freezes the process (kernel-visible) and unpause thaws it; pid and id stay', async (t) => {
    const names = scratchNames(t, 'engine');
    const name = names.container('pause');
    await engine.run(['run', '-d', '--name', name, SLEEPER_IMAGE]);
    const before = await engine.inspect(name);
    assert.equal(before.running, true);
    assert.equal(before.paused, false);
    assert.ok(before.pid > 0);
    await engine.pause(name);
    const paused = await engine.inspect(name);
    assert.equal(paused.paused, true);
    assert.equal(paused.status, 'paused');
    assert.equal(paused.pid, before.pid);
    // Seen from outside Docker: the cgroup freezer holds the process, still alive.
    assert.match(await processState(paused.pid), /^[DT]$/);
    await engine.unpause(name);
    const thawed = await engine.inspect(name);
    assert.equal(thawed.paused, false);
    assert.equal(thawed.id, before.id);
    assert.equal(await processState(thawed.pid), 'S');
  });

  it('kill ends the process, start runs a new one with a new StartedAt; stop ends it within the grace', async (t) => {
    const names = scratchNames(t, 'engine');
    const name = names.container('kill');
    await engine.run(['run', '-d', '--name', name, SLEEPER_IMAGE]);
    const first = await engine.inspect(name);
    await engine.kill(name);
    const killed = await engine.inspect(name);
    assert.equal(killed.running, false);
    assert.equal(killed.exitCode, 137);
    assert.equal(killed.pid, 0);
    await engine.start(name);
    const again = await engine.inspect(name);
    assert.equal(again.running, true);
    assert.notEqual(again.startedAt, first.startedAt);
    assert.notEqual(again.pid, first.pid);
    assert.equal(again.id, first.id);
    // sleep as PID 1 ignores SIGTERM: stop takes the grace, then SIGKILL.
    await engine.stop(name, 1);
    assert.equal((await engine.inspect(name)).running, false);
  });

  it('disconnect takes the address off the network; connect gives it back with the alias', async (t) => {
    const names = scratchNames(t, 'engine');
    const network = names.network('net');
    const name = names.container('net');
    await engine.run(['network', 'create', network]);
    await engine.run(['run', '-d', '--name', name, '--network', network, SLEEPER_IMAGE]);
    const attached = await engine.inspect(name);
    assert.match(attached.ips[network] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    await engine.disconnect(network, name);
    assert.deepEqual((await engine.inspect(name)).ips, {});
    await engine.connect(network, name, ['the-alias']);
    assert.match((await engine.inspect(name)).ips[network] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    const aliases = await engine.run([
      'inspect',
      '--format',
      `{{json (index .NetworkSettings.Networks "${network}").Aliases}}`,
      name,
    ]);
    assert.ok((JSON.parse(aliases) as string[]).includes('the-alias'), aliases);
  });

  it('find says undefined for no such container; errors carry a code', async (t) => {
    const names = scratchNames(t, 'engine');
    assert.equal(await engine.find(names.container('absent')), undefined);
    await assert.rejects(engine.pause(names.container('absent')), (error: unknown) => {
      assert.ok(error instanceof DockerError);
      assert.equal(error.code, 'docker-failed');
      return true;
    });
    const missing = dockerEngine({ command: '/nonexistent/docker' });
    await assert.rejects(missing.inspect('x'), { code: 'docker-missing' });
    const slow = dockerEngine({ command: 'sleep', timeoutMs: 200 });
    await assert.rejects(slow.run(['5']), { code: 'docker-timeout' });
  });
});
