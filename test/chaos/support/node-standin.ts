// Containers standing in for kind nodes, on a Docker network of their own standing in for
// kind's: each runs busybox httpd on :8080 (its "kubelet and pods", which answer or not) and
// can probe another with busybox nc (Debian's static busybox wget crashes). The image is made here from the host's busybox and the
// libraries it links (none for busybox-static), with `docker import`: nothing is pulled.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { dockerEngine } from '../../../src/docker/engine.ts';
import { skipOrFail } from '../../support/database.ts';

export const NODE_STANDIN_IMAGE = 'flame-test/node-standin:2';
const run = promisify(execFile);
const APPLETS = ['sh', 'httpd', 'nc', 'printf', 'timeout'];

/** Why stand-in nodes cannot run here (no Docker engine, no busybox), or undefined. */
function missing(): string | undefined {
  if (spawnSync('docker', ['version', '--format', '{{.Server.Version}}']).status !== 0) {
    return 'no Docker engine answers `docker version`: the node fault tests need one';
  }
  if (spawnSync('busybox', ['true']).status !== 0) {
    return 'no busybox on PATH (apt-get install busybox-static): the stand-in node image is made from it';
  }
  return undefined;
}

/** True when the tests can run; otherwise a loud skip here, a failure under CI. */
export function canRunStandIns(t: TestContext): boolean {
  const reason = missing();
  if (reason) skipOrFail(t, reason);
  return reason === undefined;
}

/** Makes the image once per engine (kept: the next run finds it). */
export function ensureNodeStandinImage(): void {
  if (spawnSync('docker', ['image', 'inspect', NODE_STANDIN_IMAGE]).status === 0) return;
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  const libraries = execFileSync('sh', ['-c', `ldd ${busybox} || true`], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => Boolean(path));
  const root = mkdtempSync(join(tmpdir(), 'flame-node-standin-'));
  try {
    execFileSync(
      'sh',
      [
        '-c',
        `mkdir -p bin www && cp ${busybox} bin/busybox && echo up > www/index.html` +
          APPLETS.map((a) => ` && ln -s busybox bin/${a}`).join('') +
          libraries
            .map((lib) => ` && mkdir -p .$(dirname ${lib}) && cp -L ${lib} .${lib}`)
            .join(''),
      ],
      { cwd: root },
    );
    execFileSync('sh', [
      '-c',
      `tar -C ${root} -c . | docker import --change 'CMD ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]' - ${NODE_STANDIN_IMAGE}`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A network and stand-in nodes on it, all removed when the test ends. */
export async function standInCluster(t: TestContext, nodes: readonly string[]) {
  const engine = dockerEngine({ timeoutMs: 60_000 });
  const id = `flame-test-nodes-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const network = `${id}-net`;
  const names = nodes.map((n) => `${id}-${n}`);
  const others: string[] = [];
  t.after(async () => {
    for (const name of [...names, ...others]) {
      await engine.run(['rm', '-f', name]).catch(() => undefined);
    }
    await engine.run(['network', 'rm', network]).catch(() => undefined);
  });
  await engine.run(['network', 'create', network]);
  for (const name of names) {
    await engine.run(['run', '-d', '--name', name, '--network', network, NODE_STANDIN_IMAGE]);
  }
  /** Another container on the network, removed with the rest (before the network). */
  const other = (suffix: string) => {
    others.push(`${id}-${suffix}`);
    return `${id}-${suffix}`;
  };
  return { engine, network, names, other };
}

/**
 * Whether the node at `address` answers HTTP on :8080 as seen from `from`, another container
 * on the network: one GET through busybox nc, given up after 2 s of silence.
 */
export async function answers(from: string, address: string): Promise<boolean> {
  const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc -w 2 ${address} 8080`;
  try {
    const { stdout } = await run('docker', ['exec', from, 'sh', '-c', get], { timeout: 20_000 });
    return /\r\n\r\nup\n?$/.test(stdout);
  } catch {
    return false;
  }
}
