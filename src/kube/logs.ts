import { followKubectl, type KubeTarget, kubectl } from './kubectl.ts';
import { announce, ScriptError } from './shell.ts';
import { waitFor } from './wait.ts';

const SELECTOR = 'app in (flame-frontend,flame-logic)';

export interface FollowOptions {
  /** How long the pods may be gone (a rollout between old and new) before giving up. */
  goneTimeoutMs: number;
}

/**
 * Follows the logs of both services, each line prefixed with its pod, through rollouts:
 * `kubectl logs -f -l …` follows the pods that exist when it starts and ends once they are
 * all gone, so this starts it again for the pods that replaced them, from the moment the
 * previous stream started (the new pods' first lines included). Ends on Ctrl-C, or when no
 * pod has come back within `goneTimeoutMs`.
 */
export async function followLogs(flame: KubeTarget, options: FollowOptions): Promise<void> {
  if ((await podNames(flame, AbortSignal.timeout(30_000))).length === 0) {
    throw new ScriptError(
      `no flame-frontend or flame-logic pod in namespace ${flame.namespace} (is the app deployed? run npm run deploy)`,
    );
  }
  let window = '--tail=20';
  let failures = 0;
  for (;;) {
    const started = new Date();
    const args = ['logs', '--selector', SELECTOR, '--follow', '--prefix', '--max-log-requests=20'];
    const exitCode = await followKubectl(flame, [...args, window]);
    // Ended by a signal: Ctrl-C reached kubectl too, so the user is done.
    if (exitCode === null) return;
    failures = exitCode === 0 ? 0 : failures + 1;
    if (failures >= 5) {
      throw new ScriptError(`kubectl logs failed ${failures} times in a row (exit ${exitCode})`);
    }
    announce(
      'The log stream ended (pods replaced by a rollout?); following the pods there are now',
    );
    await waitFor(
      'flame pods to follow',
      async (signal) => ((await podNames(flame, signal)).length > 0 ? true : undefined),
      {
        timeoutMs: options.goneTimeoutMs,
        intervalMs: 1000,
        log: announce,
      },
    );
    window = `--since-time=${started.toISOString()}`;
  }
}

/** A look-up polled inside a wait: killed when that attempt's deadline passes. */
async function podNames(flame: KubeTarget, signal: AbortSignal): Promise<string[]> {
  const out = await kubectl(
    'listing the flame pods',
    flame,
    ['get', 'pods', '-l', SELECTOR, '-o', 'name'],
    { quiet: true, timeoutMs: 30_000, signal },
  );
  return out.split('\n').filter(Boolean);
}
