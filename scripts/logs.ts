// npm run logs — follow the JSON logs of both services, each line prefixed with its pod.
import { flameTarget, followKubectl } from './lib/kubectl.ts';
import { runScript, say } from './lib/run.ts';
import { loadSettings } from './lib/settings.ts';
import { requireTools } from './lib/tools.ts';

await runScript('logs', async () => {
  const settings = loadSettings();
  await requireTools(['kubectl']);
  say('Following the logs of flame-frontend and flame-logic (Ctrl-C stops)');
  await followKubectl(
    flameTarget(settings.kubeContext),
    [
      'logs',
      '--selector',
      'app in (flame-frontend,flame-logic)',
      '--follow',
      '--prefix',
      '--tail=20',
      '--max-log-requests=20',
    ],
    'is the app deployed? run npm run deploy',
  );
});
