// npm run containers:up — build both images and run the shop on this Docker engine: postgres,
// two logic replicas, the frontend on 127.0.0.1 (FLAME_CONTAINERS_PORT, default 8080).

import { loadContainerSettings } from '../src/docker/settings.ts';
import { containersUp } from '../src/docker/shop.ts';
import { announce, loadSettings, requireTools, runScript } from '../src/kube/index.ts';

await runScript('containers:up', async () => {
  const settings = loadContainerSettings();
  await requireTools(['docker'], { build: loadSettings() });
  const started = Date.now();
  const shop = await containersUp(settings);
  announce(`The shop runs in containers: ${shop.frontendUrl}`);
  announce(`Images: ${Object.values(shop.images).join(', ')}`);
  announce(
    `Up in ${Math.round((Date.now() - started) / 1000)} s; npm run containers:down removes it`,
  );
});
