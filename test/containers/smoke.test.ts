// The container smoke: the images built for real and the shop run as the manifests run it,
// checked from outside — over the published ports, through the kernel's view of the
// processes (/proc on the host), and Docker's own record of how each container ended.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { dockerEngine } from '../../src/docker/engine.ts';
import { loadContainerSettings } from '../../src/docker/settings.ts';
import { containersDown, containersUp, type ShopEndpoints } from '../../src/docker/shop.ts';
import { smokePurchase } from '../../src/kube/smoke.ts';

const settings = loadContainerSettings({
  ...process.env,
  FLAME_CONTAINERS_PROJECT: `flame-smoke-${process.pid}`,
  FLAME_CONTAINERS_PORT: '0',
});
const engine = dockerEngine({ timeoutMs: 60_000 });

/** The uid a host process runs as and its command line, read from /proc. */
async function hostView(pid: number): Promise<{ uid: number; command: string[] }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  return { uid, command };
}

describe('the shop in real containers (images built here, run as the manifests run them)', () => {
  let shop: ShopEndpoints;
  before(async () => {
    shop = await containersUp(settings);
  });
  after(() => containersDown(settings, engine));

  it('every service answers ready over its published port', async () => {
    for (const url of [shop.frontendUrl, ...Object.values(shop.logicUrls)]) {
      const response = await fetch(`${url}/readyz`);
      assert.equal(response.status, 200, url);
    }
  });

  it('serves the web UI', async () => {
    const response = await fetch(`${shop.frontendUrl}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /<title>[^<]*<\/title>/);
  });

  it('sells a ticket through frontend → logic → postgres, and the replay returns the same order', async () => {
    const result = await smokePurchase(shop.frontendUrl);
    assert.match(result.orderId, /\S/);
    assert.ok(
      result.servedBy && (shop.names.logic as readonly string[]).includes(result.servedBy),
      `served by one of the logic containers (x-served-by ${result.servedBy})`,
    );
  });

  it('runs node as PID 1 with uid 1000, read-only root and no capabilities (seen from the host)', async () => {
    for (const name of [shop.names.frontend, ...shop.names.logic]) {
      const state = await engine.inspect(name);
      const { uid, command } = await hostView(state.pid);
      assert.equal(uid, 1000, `${name} runs as uid 1000`);
      assert.equal(command[0], 'node', `${name}: node itself is the container's PID 1`);
      const status = await readFile(`/proc/${state.pid}/status`, 'utf8');
      assert.match(status, /^CapEff:\s+0+$/m, `${name} has no effective capabilities`);
      const write = await engine
        .run(['exec', name, 'node', '-e', "require('fs').writeFileSync('/app/x', '')"])
        .then(
          () => 'written',
          (error: Error) => error.message,
        );
      assert.match(write, /EROFS|read-only/, `${name}: the root file system is read-only`);
    }
  });

  it('keeps the build secrets out of the images', async () => {
    for (const image of [shop.images.frontend, shop.images.logic]) {
      const check =
        "const fs = require('fs'); console.log(JSON.stringify([fs.existsSync('/run/secrets/npm_ca'), fs.existsSync('/run/secrets/npmrc'), fs.existsSync('/root/.npmrc'), process.env.NODE_EXTRA_CA_CERTS ?? null, process.env.NPM_CONFIG_USERCONFIG ?? null]))";
      const out = await engine.run(['run', '--rm', image, 'node', '-e', check]);
      assert.deepEqual(JSON.parse(out), [false, false, false, null, null], image);
      const history = await engine.run([
        'history',
        '--no-trunc',
        '--format',
        '{{.CreatedBy}}',
        image,
      ]);
      assert.doesNotMatch(history, /BEGIN CERTIFICATE|_authToken/);
    }
  });

  it('drains on SIGTERM as PID 1 and exits 0; every log line is JSON', async () => {
    // The frontend first, as a rollout would; then the replicas, the database last (after).
    for (const name of [shop.names.frontend, ...shop.names.logic]) {
      await engine.stop(name, 30);
      const state = await engine.inspect(name);
      assert.equal(state.running, false);
      assert.equal(state.exitCode, 0, `${name} exited 0 on SIGTERM`);
      // Both streams: a line on stderr must be JSON too.
      const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
      const lines = `${logs.stdout}\n${logs.stderr}`.split('\n').filter((line) => line.trim());
      assert.ok(lines.length > 3, `${name} logged`);
      const notJson = lines.filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
      assert.deepEqual(notJson, [], `${name} logged lines that are not JSON`);
      const parsed = lines.map((line) => JSON.parse(line) as { msg?: string });
      const messages = parsed.map((p) => p.msg);
      assert.ok(
        messages.some((m) => m?.startsWith('shutting down')),
        `${name} drained`,
      );
      assert.ok(messages.includes('shutdown complete'), `${name} finished its shutdown`);
    }
  });
});
