import { type LineSink, ManagedChild } from '../local/child-process.ts';
import { waitUntilReady } from '../local/launch.ts';

export interface BenchChild {
  child: ManagedChild;
  url: string;
}

const READY_TIMEOUT_MS = 30_000;

async function launch(child: ManagedChild): Promise<string> {
  // Start first: waitForLog watches the current process's exit.
  child.start({ PORT: '0' });
  const ready = child.waitForLog(
    (record) => typeof record.port === 'number' && /listening/.test(String(record.msg)),
    READY_TIMEOUT_MS,
  );
  const record = await ready;
  return `http://127.0.0.1:${record.port as number}`;
}

/** One of the bare reference servers of `src/bench/server-main.ts`, picked by its env. */
async function startBareServer(
  label: string,
  env: Record<string, string>,
  onLine: LineSink,
): Promise<BenchChild> {
  const child = new ManagedChild({ label, entry: 'src/bench/server-main.ts', env }, onLine);
  return { child, url: await launch(child) };
}

/** A bare node:http gateway forwarding everything to `target`. */
export function startGateway(target: string, onLine: LineSink): Promise<BenchChild> {
  return startBareServer(
    'bench-gateway',
    { BENCH_SERVER: 'gateway', BENCH_TARGET: target },
    onLine,
  );
}

/** A bare Express app answering GET /api/events with the JSON in `bodyFile`. */
export function startBareExpress(bodyFile: string, onLine: LineSink): Promise<BenchChild> {
  return startBareServer(
    'bench-express',
    { BENCH_SERVER: 'express', BENCH_BODY_FILE: bodyFile },
    onLine,
  );
}

/**
 * A second frontend that talks to the given logic replicas only: the local runner's frontend
 * spreads over every replica, and the one-hop comparison needs frontend → one replica.
 */
export async function spawnFrontend(
  label: string,
  logicUrls: readonly string[],
  env: Record<string, string>,
  onLine: LineSink,
): Promise<BenchChild> {
  const child = new ManagedChild(
    {
      label,
      entry: 'src/frontend/main.ts',
      env: {
        SHUTDOWN_DRAIN_MS: '300',
        SHUTDOWN_TIMEOUT_MS: '8000',
        HOST: '127.0.0.1',
        POD_NAME: label,
        ...env,
        LOGIC_URL: logicUrls.join(','),
      },
    },
    onLine,
  );
  const url = await launch(child);
  await waitUntilReady(`${url}/readyz`, READY_TIMEOUT_MS, label);
  return { child, url };
}
