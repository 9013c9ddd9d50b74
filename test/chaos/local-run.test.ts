// `npm run chaos -- --target local --quick` end to end: real processes (embedded database, two
// logic replicas, frontend), real faults, real HTTP. Every local scenario must pass its verdict.
// The embedded engine is forced (DATABASE_URL removed) so db-down really kills a database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { ChaosReport } from '../../src/chaos/result.ts';
import { SCENARIOS } from '../../src/chaos/scenarios.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const RUN_TIMEOUT_MS = 230_000;

function runChaos(args: string[]): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  delete env.DATABASE_URL;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chaos.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_TIMEOUT_MS);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('npm run chaos -- --target local --quick', () => {
  it('runs every local scenario on the embedded engine and each passes its verdict', {
    timeout: RUN_TIMEOUT_MS + 30_000,
  }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-chaos-report-'));
    // A failed run keeps its report, request log and service logs for diagnosis.
    let passed = false;
    t.after(() => (passed ? rm(dir, { recursive: true, force: true }) : undefined));
    const { code, output } = await runChaos([
      '--target',
      'local',
      '--quick',
      '--seed',
      '4242',
      '--report',
      dir,
    ]);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ChaosReport;
    const failures = report.scenarios
      .flatMap((s) =>
        s.checks.filter((c) => !c.ok).map((c) => `${s.name}: ${c.name} — ${c.detail}`),
      )
      .join('\n');

    assert.deepEqual(
      report.scenarios.map((s) => s.name),
      SCENARIOS.filter((s) => s.targets.includes('local')).map((s) => s.name),
    );
    for (const scenario of report.scenarios) {
      assert.equal(
        scenario.verdict,
        'pass',
        `${scenario.name} failed (report, requests.jsonl and system.log kept in ${dir}):\n${failures}\n${output}`,
      );
      assert.ok(scenario.operations.total > 20, `${scenario.name} ran too little load`);
      assert.equal(scenario.invariants.duplicateKeys + scenario.invariants.lostConfirmed, 0);
    }
    assert.equal(code, 0, output);
    const dbDown = report.scenarios.find((s) => s.name === 'db-down');
    assert.ok(dbDown?.checks.some((c) => c.name === 'data kept across the restart' && c.ok));

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.equal((html.match(/<svg class="timeline"/g) ?? []).length, report.scenarios.length);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'the report must open without network');
    const requests = (await readFile(join(dir, 'requests.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(
      requests.length,
      report.scenarios.reduce((n, s) => n + s.requests.total, 0),
    );
    assert.ok(requests.every((line) => (JSON.parse(line) as { end: number }).end >= 0));
    passed = true;
  });
});
