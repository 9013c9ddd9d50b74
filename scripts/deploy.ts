// npm run deploy — build and load the images, then apply the manifests and wait for them.
import { deploy, loadSettings, requireTools, runScript } from '../src/kube/index.ts';

await runScript('deploy', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind', 'kubectl'], { build: settings });
  await deploy(settings);
});
