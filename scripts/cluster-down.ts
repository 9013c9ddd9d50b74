// npm run cluster:down — delete the kind cluster, if it exists.
import { clusterDown, loadSettings, requireTools, runScript } from '../src/kube/index.ts';

await runScript('cluster:down', async () => {
  const settings = loadSettings();
  await requireTools(['kind']);
  await clusterDown(settings);
});
