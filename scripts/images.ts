// npm run images — build both images with the source's tag and load them into kind.
import { buildAndLoadImages } from './lib/images.ts';
import { clusterExists } from './lib/kind.ts';
import { runScript, ScriptError, say } from './lib/run.ts';
import { loadSettings } from './lib/settings.ts';
import { requireTools } from './lib/tools.ts';

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
