import { type KubeTarget, kubectl, kubectlArgs } from './kubectl.ts';
import { ScriptError, say, tryRun } from './run.ts';
import { waitFor } from './wait.ts';

const SELECTOR = 'app in (flame-frontend,flame-logic)';

export interface FollowOptions {
  /** How long the pods may be gone (a rollout between old and new) before giving up. */
  goneTimeoutMs: number;
  progressMs: number;
}

/**
 * Follows the logs of both services, each line prefixed with its pod, through rollouts:
 * `kubectl logs -f -l …` follows the pods that exist when it starts and ends once they are
 * all gone, so this starts it again for the pods that replaced them, from the moment the
 * previous stream started (the new pods' first lines included). Ends on Ctrl-C, or when no
 * pod has come back within `goneTimeoutMs`.
 */
export async function followLogs(flame: KubeTarget, options: FollowOptions): Promise<void> {
  if ((await podNames(flame)).length === 0) {
    throw new ScriptError(
      `no flame-frontend or flame-logic pod in namespace ${flame.namespace} (is the app deployed? run npm run deploy)`,
    );
  }
  let window = '--tail=20';
  let failures = 0;
  for (;;) {
    const started = new Date();
    const args = ['logs', '--selector', SELECTOR, '--follow', '--prefix', '--max-log-requests=20'];
    const result = await tryRun('kubectl', kubectlArgs(flame, [...args, window]), { stream: true });
    // Ended by a signal: Ctrl-C reached kubectl too, so the user is done.
    if (result.exitCode === null) return;
    failures = result.ok ? 0 : failures + 1;
    if (failures >= 5) {
      throw new ScriptError(
        `kubectl logs failed ${failures} times in a row (exit ${result.exitCode})`,
      );
    }
    say('The log stream ended (pods replaced by a rollout?); following the pods there are now');
    await waitFor(
      'flame pods to follow',
      async () => ((await podNames(flame)).length > 0 ? true : undefined),
      {
        timeoutMs: options.goneTimeoutMs,
        intervalMs: 1000,
        progress: { everyMs: options.progressMs, report: say },
      },
    );
    window = `--since-time=${started.toISOString()}`;
  }
}

async function podNames(flame: KubeTarget): Promise<string[]> {
  const out = await kubectl(
    'listing the flame pods',
    flame,
    ['get', 'pods', '-l', SELECTOR, '-o', 'name'],
    {
      silent: true,
    },
  );
  return out.split('\n').filter(Boolean);
}
