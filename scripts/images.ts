// npm run images — build both images with the source's tag and load them into kind.
import { buildAndLoadImages } from '../src/kube/images.ts';
import { clusterExists } from '../src/kube/kind.ts';
import { runScript, ScriptError, say } from '../src/kube/run.ts';
import { loadSettings } from '../src/kube/settings.ts';
import { requireTools } from '../src/kube/tools.ts';

await runScript('images', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind']);
  if (!(await clusterExists(settings.clusterName))) {
    throw new ScriptError(
      `kind cluster "${settings.clusterName}" does not exist: run npm run cluster:up first`,
    );
  }
  const images = await buildAndLoadImages(settings);
  say(`Loaded ${images.map((i) => i.ref).join(' and ')}`);
});
