// npm run containers:down — stop and remove the shop's containers, network and database volume.

import { loadContainerSettings } from '../src/docker/settings.ts';
import { containersDown } from '../src/docker/shop.ts';
import { announce, requireTools, runScript } from '../src/kube/index.ts';

await runScript('containers:down', async () => {
  const settings = loadContainerSettings();
  await requireTools(['docker']);
  const removed = await containersDown(settings);
  announce(removed ? 'The shop in containers is gone' : `No shop "${settings.project}" to remove`);
});
