// A tiny image for testing Docker-level actions on real containers: the host's `sleep` and the
// libraries it links, imported with `docker import` (nothing is pulled). It runs `sleep` as PID 1.
import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { dockerEngine } from '../../../src/docker/engine.ts';

export const SLEEPER_IMAGE = 'flame-test/sleeper:1';

/** Makes the sleeper image once per engine (kept: the next run finds it). */
export function ensureSleeperImage(): void {
  if (spawnSync('docker', ['image', 'inspect', SLEEPER_IMAGE]).status === 0) return;
  const sleep = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
  const libraries = execFileSync('ldd', [sleep], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => Boolean(path));
  const files = [sleep, ...libraries].map((path) => path.replace(/^\//, ''));
  // -h: /bin and /lib may be links into /usr; the image gets the files under those paths.
  execFileSync('sh', [
    '-c',
    `tar -C / -ch ${files.join(' ')} | docker import --change 'CMD ["${sleep}", "infinity"]' - ${SLEEPER_IMAGE}`,
  ]);
}

/** A unique name for this test's containers and networks, removed when the test ends. */
export function scratchNames(t: TestContext, prefix: string) {
  const id = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const engine = dockerEngine();
  const containers: string[] = [];
  const networks: string[] = [];
  t.after(async () => {
    for (const name of containers) await engine.run(['rm', '-f', name]).catch(() => undefined);
    for (const name of networks) await engine.run(['network', 'rm', name]).catch(() => undefined);
  });
  return {
    container(suffix: string): string {
      const name = `${id}-${suffix}`;
      containers.push(name);
      return name;
    },
    network(suffix: string): string {
      const name = `${id}-${suffix}`;
      networks.push(name);
      return name;
    },
  };
}
