// `npm run chaos` reads LOGIC_ATTEMPT_TIMEOUT_MS with the services' rule (an empty
// variable is unset) and answers a bad value with a clear message, never a raw ZodError.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, loadChaosEnv } from '../../src/chaos/env.ts';
import { loadFrontendConfig } from '../../src/frontend/config.ts';
import { ConfigError } from '../../src/shared/config.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

function runChaos(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/chaos.ts', '--target', 'local', '--report', '/dev/null/x'],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, output }));
  });
}

describe('the chaos runner environment', () => {
  it('takes an empty LOGIC_ATTEMPT_TIMEOUT_MS as unset: the frontend default, 2000 ms', () => {
    assert.equal(loadChaosEnv({ LOGIC_ATTEMPT_TIMEOUT_MS: '' }).attemptTimeoutMs, 2000);
    assert.equal(loadChaosEnv({}).attemptTimeoutMs, 2000);
    assert.equal(loadChaosEnv({ LOGIC_ATTEMPT_TIMEOUT_MS: '1500' }).attemptTimeoutMs, 1500);
    assert.equal(loadChaosEnv({ DATABASE_URL: '' }).databaseUrl, undefined);
  });

  it("keeps its default equal to the frontend's, without reading the frontend's schema", () => {
    assert.equal(DEFAULT_ATTEMPT_TIMEOUT_MS, loadFrontendConfig({}).LOGIC_ATTEMPT_TIMEOUT_MS);
  });

  it('lists a bad value as a problem with the variable named', () => {
    assert.throws(
      () => loadChaosEnv({ LOGIC_ATTEMPT_TIMEOUT_MS: 'soon' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /LOGIC_ATTEMPT_TIMEOUT_MS must be a number of milliseconds \(got "soon"\)/.test(
          error.message,
        ),
    );
  });

  it('npm run chaos exits 1 with that message and starts nothing', async () => {
    const { code, output } = await runChaos({ LOGIC_ATTEMPT_TIMEOUT_MS: '-5' });
    assert.equal(code, 1, output);
    assert.match(
      output,
      /✖ chaos: Invalid configuration:\n {2}- LOGIC_ATTEMPT_TIMEOUT_MS must be >= 0 \(got "-5"\)/,
    );
    assert.doesNotMatch(output, /ZodError|Starting the shop|\n\s+at /);
  });
});
