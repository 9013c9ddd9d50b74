// npm run deploy — build and load the images, then apply the manifests and wait for them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildAndLoadImages } from './lib/images.ts';
import { clusterExists } from './lib/kind.ts';
import { exists, flameTarget, kubectl } from './lib/kubectl.ts';
import { credentialsSecret, loadManifests, toYamlStream, withImages } from './lib/manifests.ts';
import { runScript, ScriptError, say } from './lib/run.ts';
import { loadSettings, NAMESPACE, SECRET_NAME, type Settings, WORKLOADS } from './lib/settings.ts';
import { smokePurchase } from './lib/smoke.ts';
import { requireTools } from './lib/tools.ts';
import { waitFor } from './lib/wait.ts';

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

  say(`Applying namespace ${NAMESPACE}`);
  await kubectl('applying the namespace', cluster, [
    'apply',
    '-f',
    join(settings.manifestsDir, '00-namespace.yaml'),
  ]);

  await ensureSecret(flame);

  say('Applying the manifests with the built image tags');
  const documents = await loadManifests(settings.manifestsDir);
  await kubectl('applying the manifests', cluster, ['apply', '-f', '-'], {
    input: toYamlStream(withImages(documents, images)),
  });

  await waitForRollouts(settings);

  say(`Smoke test: one purchase through ${settings.url} (up to ${settings.smokeTimeoutS}s)`);
  const smoke = await waitFor(
    `a smoke purchase through ${settings.url}`,
    () => smokePurchase(settings.url),
    { timeoutMs: settings.smokeTimeoutS * 1000, intervalMs: 2000 },
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

/** Creates the credentials Secret only when absent: a rerun must not change the DB password. */
async function ensureSecret(flame: ReturnType<typeof flameTarget>): Promise<void> {
  if (await exists(flame, 'secret', SECRET_NAME)) {
    say(`Secret ${SECRET_NAME} exists — keeping it`);
    return;
  }
  say(
    `Creating Secret ${SECRET_NAME} with a generated database password and admin token (not printed)`,
  );
  const secret = credentialsSecret(
    randomBytes(24).toString('hex'),
    randomBytes(32).toString('hex'),
  );
  // Through stdin, so the values are on no command line and in no file.
  await kubectl(`creating Secret ${SECRET_NAME}`, flame, ['create', '-f', '-'], {
    input: JSON.stringify(secret),
  });
}

async function waitForRollouts(settings: Settings): Promise<void> {
  const flame = flameTarget(settings.kubeContext);
  for (const workload of WORKLOADS) {
    say(`Waiting up to ${settings.rolloutTimeoutS}s for ${workload} to roll out`);
    try {
      await kubectl(`rollout of ${workload}`, flame, [
        'rollout',
        'status',
        workload,
        `--timeout=${settings.rolloutTimeoutS}s`,
      ]);
    } catch (error) {
      throw new ScriptError(
        `Timed out after ${settings.rolloutTimeoutS}s waiting for ${workload} to roll out ` +
          `(see \`kubectl --context ${settings.kubeContext} -n ${NAMESPACE} describe ${workload}\` and its pods' events)\n` +
          (error as Error).message,
      );
    }
  }
}
