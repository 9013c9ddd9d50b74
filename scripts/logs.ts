// npm run logs — follow the JSON logs of both services, each line prefixed with its pod, through
// rollouts (new pods are picked up), until Ctrl-C.
import { flameTarget } from './lib/kubectl.ts';
import { followLogs } from './lib/logs.ts';
import { runScript, say } from './lib/run.ts';
import { loadSettings } from './lib/settings.ts';
import { requireTools } from './lib/tools.ts';

await runScript('logs', async () => {
  const settings = loadSettings();
  await requireTools(['kubectl']);
  say('Following the logs of flame-frontend and flame-logic (Ctrl-C stops)');
  await followLogs(flameTarget(settings.kubeContext), {
    goneTimeoutMs: settings.rolloutTimeoutS * 1000,
    progressMs: settings.progressS * 1000,
  });
});
