import { join } from 'node:path';
import { requireCluster } from './cluster-up.ts';
import { ensureCredentials, recordPasswordOnVolume } from './credentials.ts';
import { buildAndLoadImages } from './images.ts';
import { flameTarget, kubectl } from './kubectl.ts';
import { loadManifests, toYamlStream, withImages, withNodePort } from './manifests.ts';
import { loadPostgresImage } from './postgres-image.ts';
import { NAMESPACE, type Settings, WORKLOADS } from './settings.ts';
import { announce, ScriptError } from './shell.ts';
import { smokePurchase } from './smoke.ts';
import { waitFor, withProgress } from './wait.ts';

/** `npm run deploy`: build and load the images, apply the manifests, wait, buy one ticket. */
export async function deploy(settings: Settings): Promise<void> {
  await requireCluster(settings);
  const images = await buildAndLoadImages(settings);
  await loadPostgresImage(settings);
  await applyNamespaceAndCredentials(settings);
  announce(
    `Applying the manifests with the built image tags (frontend NodePort ${settings.nodePort})`,
  );
  const documents = await loadManifests(settings.manifestsDir);
  const objects = withNodePort(withImages(documents, images), settings.nodePort);
  await kubectl('applying the manifests', { context: settings.kubeContext }, ['apply', '-f', '-'], {
    input: toYamlStream(objects),
  });
  await waitForRollouts(settings);
  await recordPasswordOnVolume(flameTarget(settings.kubeContext));
  await smokeTest(settings);
  printNextSteps(settings);
}

async function applyNamespaceAndCredentials(settings: Settings): Promise<void> {
  announce(`Applying namespace ${NAMESPACE}`);
  await kubectl('applying the namespace', { context: settings.kubeContext }, [
    'apply',
    '-f',
    join(settings.manifestsDir, '00-namespace.yaml'),
  ]);
  await ensureCredentials(flameTarget(settings.kubeContext));
}

async function waitForRollouts(settings: Settings): Promise<void> {
  const flame = flameTarget(settings.kubeContext);
  const still = { everyMs: settings.progressS * 1000, report: announce };
  const timeoutS = settings.rolloutTimeoutS;
  for (const workload of WORKLOADS) {
    announce(`Waiting up to ${timeoutS}s for ${workload} to roll out`);
    try {
      await withProgress(`${workload} to roll out`, timeoutS * 1000, still, () =>
        kubectl(`rollout of ${workload}`, flame, [
          'rollout',
          'status',
          workload,
          `--timeout=${timeoutS}s`,
        ]),
      );
    } catch (error) {
      throw new ScriptError(
        `Timed out after ${timeoutS}s waiting for ${workload} to roll out ` +
          `(see \`kubectl --context ${settings.kubeContext} -n ${NAMESPACE} describe ${workload}\` and its pods' events)\n` +
          (error as Error).message,
      );
    }
  }
}

async function smokeTest(settings: Settings): Promise<void> {
  announce(`Smoke test: one purchase through ${settings.url} (up to ${settings.smokeTimeoutS}s)`);
  const smoke = await waitFor(
    `a smoke purchase through ${settings.url}`,
    () => smokePurchase(settings.url),
    { timeoutMs: settings.smokeTimeoutS * 1000, intervalMs: 2000, log: announce },
  );
  announce(
    `Smoke purchase ok: order ${smoke.orderId} served by ${smoke.servedBy ?? 'an unnamed replica'}`,
  );
}

function printNextSteps(settings: Settings): void {
  const k = `kubectl --context ${settings.kubeContext} -n ${NAMESPACE}`;
  process.stdout.write(
    [
      '',
      `FlameTickets is running: open ${settings.url}`,
      '  logs, both services, following:  npm run logs',
      `  one service:                      ${k} logs -l app=flame-logic -f`,
      `  scale logic:                      ${k} scale deployment/flame-logic --replicas=3`,
      '  tear down:                        npm run cluster:down',
      '',
    ].join('\n'),
  );
}
