// npm run logs — follow the JSON logs of both services, each line prefixed with its pod, through
// rollouts (new pods are picked up), until Ctrl-C.
import {
  announce,
  flameTarget,
  followLogs,
  loadSettings,
  requireTools,
  runScript,
} from '../src/kube/index.ts';

await runScript('logs', async () => {
  const settings = loadSettings();
  await requireTools(['kubectl']);
  announce('Following the logs of flame-frontend and flame-logic (Ctrl-C stops)');
  await followLogs(flameTarget(settings.kubeContext), {
    goneTimeoutMs: settings.rolloutTimeoutS * 1000,
  });
});
