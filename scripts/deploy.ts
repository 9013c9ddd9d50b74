// npm run deploy — build and load the images, then apply the manifests and wait for them.
import { join } from 'node:path';
import { ensureCredentials, recordPasswordOnVolume } from '../src/kube/credentials.ts';
import { buildAndLoadImages } from '../src/kube/images.ts';
import { clusterExists } from '../src/kube/kind.ts';
import { flameTarget, kubectl } from '../src/kube/kubectl.ts';
import { loadManifests, toYamlStream, withImages, withNodePort } from '../src/kube/manifests.ts';
import { loadPostgresImage } from '../src/kube/postgres-image.ts';
import { runScript, ScriptError, say } from '../src/kube/run.ts';
import { loadSettings, NAMESPACE, type Settings, WORKLOADS } from '../src/kube/settings.ts';
import { smokePurchase } from '../src/kube/smoke.ts';
import { requireTools } from '../src/kube/tools.ts';
import { waitFor, withProgress } from '../src/kube/wait.ts';

await runScript('deploy', async () => {
  const settings = loadSettings();
  await requireTools([settings.containerCli, 'kind', 'kubectl']);
  if (!(await clusterExists(settings.clusterName))) {
    throw new ScriptError(
      `kind cluster "${settings.clusterName}" does not exist: run npm run cluster:up first`,
    );
  }
  const cluster = { context: settings.kubeContext };
  const flame = flameTarget(settings.kubeContext);

  const images = await buildAndLoadImages(settings);
  await loadPostgresImage(settings);

  say(`Applying namespace ${NAMESPACE}`);
  await kubectl('applying the namespace', cluster, [
    'apply',
    '-f',
    join(settings.manifestsDir, '00-namespace.yaml'),
  ]);
  await ensureCredentials(flame);

  say(`Applying the manifests with the built image tags (frontend NodePort ${settings.nodePort})`);
  const documents = await loadManifests(settings.manifestsDir);
  const objects = withNodePort(withImages(documents, images), settings.nodePort);
  await kubectl('applying the manifests', cluster, ['apply', '-f', '-'], {
    input: toYamlStream(objects),
  });
  await waitForRollouts(settings);
  await recordPasswordOnVolume(flame);

  say(`Smoke test: one purchase through ${settings.url} (up to ${settings.smokeTimeoutS}s)`);
  const smoke = await waitFor(
    `a smoke purchase through ${settings.url}`,
    () => smokePurchase(settings.url),
    {
      timeoutMs: settings.smokeTimeoutS * 1000,
      intervalMs: 2000,
      progress: { everyMs: settings.progressS * 1000, report: say },
    },
  );
  say(
    `Smoke purchase ok: order ${smoke.orderId} served by ${smoke.servedBy ?? 'an unnamed replica'}`,
  );
  process.stdout.write(
    [
      '',
      `FlameTickets is running: open ${settings.url}`,
      '  logs, both services, following:  npm run logs',
      `  one service:                      kubectl --context ${settings.kubeContext} -n ${NAMESPACE} logs -l app=flame-logic -f`,
      `  scale logic:                      kubectl --context ${settings.kubeContext} -n ${NAMESPACE} scale deployment/flame-logic --replicas=3`,
      '  tear down:                        npm run cluster:down',
      '',
    ].join('\n'),
  );
});

async function waitForRollouts(settings: Settings): Promise<void> {
  const flame = flameTarget(settings.kubeContext);
  const progress = { everyMs: settings.progressS * 1000, report: say };
  for (const workload of WORKLOADS) {
    say(`Waiting up to ${settings.rolloutTimeoutS}s for ${workload} to roll out`);
    try {
      await withProgress(`${workload} to roll out`, settings.rolloutTimeoutS * 1000, progress, () =>
        kubectl(`rollout of ${workload}`, flame, [
          'rollout',
          'status',
          workload,
          `--timeout=${settings.rolloutTimeoutS}s`,
        ]),
      );
    } catch (error) {
      throw new ScriptError(
        `Timed out after ${settings.rolloutTimeoutS}s waiting for ${workload} to roll out ` +
          `(see \`kubectl --context ${settings.kubeContext} -n ${NAMESPACE} describe ${workload}\` and its pods' events)\n` +
          (error as Error).message,
      );
    }
  }
}
