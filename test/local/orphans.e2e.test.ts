import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAlive, ProcessTree, spawnNpmStart } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

const trees: ProcessTree[] = [];
const dirs: string[] = [];

/**
 * Runs `npm start`, waits until the process whose command line contains `moment` appears,
 * then hits it with `interrupt`, and checks that every process the run made goes away.
 */
async function interruptAndCheck(
  moment: string,
  interrupt: (tree: ProcessTree, npmPid: number) => void,
): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'flame-orphans-'));
  dirs.push(dataDir);
  const run = spawnNpmStart({ PORT: '0', LOGIC_BASE_PORT: '0', DATA_DIR: dataDir });
  const npmPid = run.child.pid as number;
  const tree = new ProcessTree(npmPid);
  trees.push(tree);
  await waitFor(`${moment} to start under npm start`, () => tree.find(moment) !== undefined, {
    timeoutMs: 90_000,
    intervalMs: 50,
  }).catch((error: Error) => {
    throw new Error(`${error.message}; npm start said:\n${run.output()}`);
  });
  await tree.poll();
  interrupt(tree, npmPid);
  await waitFor(
    'every process of the run to exit',
    async () => {
      await tree.poll();
      return tree.alive().length === 0;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}; still running:\n${tree.alive().join('\n')}\n${run.output()}`,
    );
  });
  tree.stop();
}

describe('npm start interrupted at any moment leaves no process behind (real processes)', () => {
  after(async () => {
    for (const tree of trees) {
      tree.stop();
      for (const line of tree.alive()) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    }
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('SIGTERM to npm the moment the frontend process appears', async () => {
    await interruptAndCheck('src/frontend/main.ts', (_tree, npm) => process.kill(npm, 'SIGTERM'));
  });

  it('SIGTERM to npm while the embedded database starts', async () => {
    await interruptAndCheck('src/local/embedded-db-main.ts', (_tree, npm) =>
      process.kill(npm, 'SIGTERM'),
    );
  });

  it('SIGINT to the whole job (Ctrl-C) while the logic replicas start', async () => {
    await interruptAndCheck('src/logic/main.ts', (_tree, npm) => process.kill(-npm, 'SIGINT'));
  });

  it('`timeout` ending the job: SIGTERM to its process group as the frontend appears', async () => {
    await interruptAndCheck('src/frontend/main.ts', (_tree, npm) => process.kill(-npm, 'SIGTERM'));
  });

  it('the runner killed outright (SIGKILL) before a service registered its handlers', async () => {
    await interruptAndCheck('src/logic/main.ts', (tree) => {
      process.kill(findRunner(tree), 'SIGKILL');
    });
  });
});

/** The runner: the node process running scripts/start.ts (not the shell that launched it). */
function findRunner(tree: ProcessTree): number {
  for (const [pid, cmd] of tree.seen) {
    if (cmd.includes('scripts/start.ts') && !/^(\/bin\/)?sh /.test(cmd)) return pid;
  }
  throw new Error(`no runner among ${[...tree.seen.values()].join(', ')}`);
}

/**
 * A stand-in runner: starts `entry` with an IPC channel, as the local runner does, prints the
 * service's pid and exits at once — long before the service has loaded its code and
 * registered any handler.
 */
const VANISHING_RUNNER = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['--import', 'tsx', process.argv[1]], {
  stdio: ['ignore', 'ignore', 'ignore', 'ipc'], detached: true,
});
process.stdout.write(String(child.pid), () => process.exit(0));
`;

describe('a service whose runner is gone before it registered its handler exits', () => {
  const services: Array<{ entry: string; env: Record<string, string> }> = [
    { entry: 'src/frontend/main.ts', env: {} },
    { entry: 'src/logic/main.ts', env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } },
    { entry: 'src/local/embedded-db-main.ts', env: {} },
  ];
  const pids: number[] = [];
  after(() => {
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  for (const { entry, env } of services) {
    it(entry, async () => {
      const runner = spawn(process.execPath, ['-e', VANISHING_RUNNER, entry], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DRAIN_MS: '0', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      runner.stdout.on('data', (chunk) => {
        out += chunk;
      });
      await once(runner, 'close');
      const pid = Number(out);
      assert.ok(pid > 0, `the stand-in runner printed a pid (${out})`);
      pids.push(pid);
      await waitFor(`${entry} (pid ${pid}) to exit without its runner`, () => !isAlive(pid), {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
    });
  }
});

/**
 * A stand-in runner that never reads the service's output, as a stopped terminal or a runner
 * stuck writing its own output would: the service's log pipe fills up.
 */
const STALLED_RUNNER = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['--import', 'tsx', 'src/frontend/main.ts'], {
  stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true,
});
child.stdout.pause();
child.stderr.pause();
process.stdout.write(String(child.pid) + '\\n');
`;

describe('a service whose runner dies while its log output is backed up', () => {
  let pid = 0;
  after(() => {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('still exits: the log flush at exit must not retry a broken pipe forever', async () => {
    const port = await freePort();
    const runner = spawn(process.execPath, ['-e', STALLED_RUNNER], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOGIC_URL: 'http://127.0.0.1:9',
        LOGIC_RETRIES: '0',
        SHUTDOWN_DRAIN_MS: '0',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(runner.stdout, 'data')) as [Buffer];
    pid = Number(line.toString());
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the frontend to listen', () =>
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    // Each failed catalog read logs an error with a stack: a few MB fill any pipe.
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${url}/api/events`).catch(() => {})),
      );
    }
    runner.kill('SIGKILL');
    await waitFor(`the frontend (pid ${pid}) to exit without its runner`, () => !isAlive(pid), {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
  });
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
