// npm run logs — follow the JSON logs of both services, each line prefixed with its pod, through
// rollouts (new pods are picked up), until Ctrl-C.
import { flameTarget } from '../src/kube/kubectl.ts';
import { followLogs } from '../src/kube/logs.ts';
import { runScript, say } from '../src/kube/run.ts';
import { loadSettings } from '../src/kube/settings.ts';
import { requireTools } from '../src/kube/tools.ts';

await runScript('logs', async () => {
  const settings = loadSettings();
  await requireTools(['kubectl']);
  say('Following the logs of flame-frontend and flame-logic (Ctrl-C stops)');
  await followLogs(flameTarget(settings.kubeContext), {
    goneTimeoutMs: settings.rolloutTimeoutS * 1000,
    progressMs: settings.progressS * 1000,
  });
});
