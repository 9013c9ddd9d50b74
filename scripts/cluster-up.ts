// npm run cluster:up — create the kind cluster (if absent) and wait for its nodes.
import { clusterUp, loadSettings, requireTools, runScript } from '../src/kube/index.ts';

await runScript('cluster:up', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind', 'kubectl']);
  await clusterUp(settings);
});
