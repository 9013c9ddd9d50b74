// npm run images — build both images with the source's tag and load them into kind.
import {
  announce,
  buildAndLoadImages,
  loadSettings,
  requireCluster,
  requireTools,
  runScript,
} from '../src/kube/index.ts';

await runScript('images', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind'], { build: settings });
  await requireCluster(settings);
  const images = await buildAndLoadImages(settings);
  announce(`Loaded ${images.map((i) => i.ref).join(' and ')}`);
});
