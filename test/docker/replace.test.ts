// replaceLogicContainer (src/docker/shop.ts), the docker target's rolling restart: surge first,
// as a Deployment's rolling update does (maxSurge 1, maxUnavailable 0): the old container
// keeps serving until its replacement is ready, then it is stopped with the manifests' grace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dockerEngine } from '../../src/docker/engine.ts';
import { loadContainerSettings } from '../../src/docker/settings.ts';
import {
  containersDown,
  containersUp,
  publishedUrl,
  replaceLogicContainer,
  type ShopEndpoints,
} from '../../src/docker/shop.ts';
import { waitFor } from '../../src/shared/wait.ts';

const settings = loadContainerSettings({
  ...process.env,
  FLAME_CONTAINERS_PROJECT: `flame-replace-${process.pid}`,
  FLAME_CONTAINERS_PORT: '0',
});
const engine = dockerEngine({ timeoutMs: 60_000 });

describe('replacing a logic container (the docker target rolling restart)', () => {
  let shop: ShopEndpoints;
  before(async () => {
    shop = await containersUp(settings);
  });
  after(() => containersDown(settings, engine));

  it('starts the new one beside the old, which answers until the new one is ready', async () => {
    const [name] = shop.names.logic;
    assert.ok(name);
    const oldId = (await engine.inspect(name)).id;
    const oldUrl = shop.logicUrls[name];
    let seenWhileReadying: { oldRunning: boolean; oldAnswered: number; newId: string } | undefined;
    await replaceLogicContainer(engine, settings, name, async () => {
      const newUrl = await publishedUrl(engine, name, 8081);
      await waitUntilReady(newUrl);
      const old = await engine.inspect(`${name}-retiring`);
      const answer = await fetch(`${oldUrl}/readyz`);
      seenWhileReadying = {
        oldRunning: old.running,
        oldAnswered: answer.status,
        newId: (await engine.inspect(name)).id,
      };
    });
    assert.deepEqual(
      { oldRunning: seenWhileReadying?.oldRunning, oldAnswered: seenWhileReadying?.oldAnswered },
      { oldRunning: true, oldAnswered: 200 },
      'the old container still ran and answered while the new one got ready',
    );
    assert.notEqual(seenWhileReadying?.newId, oldId, 'a new container under the same name');
    assert.equal(await engine.find(`${name}-retiring`), undefined, 'the old one is gone after');
    assert.equal((await engine.inspect(name)).running, true);
  });
});

async function waitUntilReady(url: string): Promise<void> {
  await waitFor(
    `${url}/readyz to answer 200`,
    async () => (await fetch(`${url}/readyz`)).ok || undefined,
    { timeoutMs: 60_000, delayMs: 250 },
  );
}
