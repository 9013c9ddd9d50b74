import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnNpmStart } from '../support/processes.ts';

/** A port some other program holds, on the interface our services bind by default. */
async function takePort(): Promise<{ server: Server; port: number }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** One clear line: the port and the variable that changes it, no stack trace, exit 1. */
function assertOneClearLine(output: string, port: number, variable: string): void {
  assert.match(output, new RegExp(`port ${port} is already in use.*set ${variable} to another`));
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(output, /EADDRINUSE/, 'no raw error code');
}

/** Runs a command to its end, with its output. */
async function runToEnd(command: string, args: string[], env: Record<string, string>) {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  const child = spawn(command, args, { env: { ...childEnv, ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(child, 'close');
  return { code: code as number | null, output };
}

describe('a port that is already in use', { concurrency: true }, () => {
  let taken: { server: Server; port: number };
  const dirs: string[] = [];
  before(async () => {
    taken = await takePort();
  });
  after(async () => {
    taken.server.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  // METRICS_BASE_PORT gets a taken port of its own: the logic replicas' metrics ports count up
  // from it (taken + 1, + 2), where the LOGIC_BASE_PORT case's second replica would listen.
  for (const variable of ['PORT', 'LOGIC_BASE_PORT', 'EMBEDDED_DB_PORT', 'METRICS_BASE_PORT']) {
    it(`npm start says which port and to set ${variable}, in one line`, async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'flame-port-'));
      dirs.push(dataDir);
      const own = variable === 'METRICS_BASE_PORT' ? await takePort() : undefined;
      t.after(() => own?.server.close());
      const port = (own ?? taken).port;
      const run = spawnNpmStart({
        PORT: '0',
        LOGIC_BASE_PORT: '0',
        EMBEDDED_DB_PORT: '0',
        METRICS_BASE_PORT: '0',
        DATA_DIR: dataDir,
        // One replica: a second one would listen on port + 1, which anything else on this
        // machine may hold by chance (a second "in use" line).
        ...(variable === 'LOGIC_BASE_PORT' ? { LOGIC_REPLICAS: '1' } : {}),
        [variable]: String(port),
      });
      const [code] = await once(run.child, 'close');
      assert.equal(code, 1, run.output());
      assertOneClearLine(run.output(), port, variable);
      assert.equal(
        run.output().match(/already in use/g)?.length,
        1,
        `said once, by the runner:\n${run.output()}`,
      );
    });
  }

  const services: Array<{ entry: string; variable: string; env: Record<string, string> }> = [
    { entry: 'src/frontend/main.ts', variable: 'PORT', env: {} },
    {
      entry: 'src/logic/main.ts',
      variable: 'PORT',
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    },
    { entry: 'src/local/embedded-db-main.ts', variable: 'EMBEDDED_DB_PORT', env: {} },
    { entry: 'src/frontend/main.ts', variable: 'METRICS_PORT', env: { PORT: '0' } },
  ];
  for (const { entry, variable, env } of services) {
    it(`${entry} run on its own says which port and to set ${variable}`, async () => {
      const { code, output } = await runToEnd(process.execPath, ['--import', 'tsx', entry], {
        HOST: '127.0.0.1',
        ...env,
        [variable]: String(taken.port),
      });
      assert.equal(code, 1, output);
      assertOneClearLine(output, taken.port, variable);
    });
  }
});
