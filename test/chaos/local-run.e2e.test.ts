// `npm run chaos -- --target local --quick` end to end: real processes (embedded database, two
// logic replicas, frontend), real faults, real HTTP. Three scenarios back to back on a data
// folder seeded with a deliberately tiny catalog (one event of three seats), so a scenario can
// only show load by buying its own stock: each must confirm purchases during its fault, the
// numbers behind its proof must hold in the raw request log, and the seed catalog must come out
// untouched. Then one scenario with its fault switched off, which must be inconclusive. The
// embedded engine is forced (DATABASE_URL removed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../../src/chaos/core/model.ts';
import { confirmsOrder } from '../../src/chaos/core/model.ts';
import type { ChaosReport } from '../../src/chaos/core/result.ts';
import { startEmbeddedDatabase } from '../../src/local/embedded-db.ts';
import { createPool } from '../../src/logic/database.ts';
import { migrate } from '../../src/logic/migrations.ts';
import { createLogger } from '../../src/shared/logger.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const RUN_TIMEOUT_MS = 150_000;
const SCENARIOS = ['replica-kill', 'flaky-logic', 'lost-responses'];
const TINY_SEED = [
  {
    id: 'tiny-gig',
    name: 'Tiny gig',
    venue: 'Back room',
    startsAt: '2030-01-01T20:00:00Z',
    priceCents: 500,
    capacity: 3,
  },
];

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

/** Runs `work` on the embedded database in `dataDir`, started in this process and stopped after. */
async function withDatabase<T>(
  dataDir: string,
  work: (pool: ReturnType<typeof createPool>) => Promise<T>,
): Promise<T> {
  const db = await startEmbeddedDatabase({ dataDir });
  const logger = createLogger({ service: 'logic', replica: 'test', level: 'silent' });
  const pool = createPool({ connectionString: db.url, max: 1, logger });
  try {
    return await work(pool);
  } finally {
    await pool.end();
    await db.stop();
  }
}

describe('npm run chaos -- --target local --quick on a tiny seed catalog', () => {
  it('runs three scenarios back to back, each confirming purchases of its own stock during its fault', {
    timeout: RUN_TIMEOUT_MS + 60_000,
  }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-chaos-report-'));
    const dataDir = join(dir, 'data');
    // A failed run keeps its report, request log and service logs for diagnosis.
    let passed = false;
    t.after(() => (passed ? rm(dir, { recursive: true, force: true }) : undefined));
    await withDatabase(dataDir, (pool) => migrate(pool, TINY_SEED));

    const args = ['--target', 'local', '--quick', '--seed', '4242', '--report', dir];
    args.push('--data', dataDir, ...SCENARIOS.flatMap((s) => ['--scenario', s]));
    const { code, output } = await runChaos(args);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ChaosReport;
    const requests = (await readFile(join(dir, 'requests.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RequestRecord);
    const failures = report.scenarios
      .flatMap((s) =>
        s.checks.filter((c) => !c.ok).map((c) => `${s.name}: ${c.name} — ${c.detail}`),
      )
      .join('\n');
    const kept = `report, requests.jsonl and system.log kept in ${dir}`;

    assert.deepEqual(
      report.scenarios.map((s) => s.name),
      SCENARIOS,
    );
    for (const scenario of report.scenarios) {
      assert.equal(scenario.verdict, 'pass', `${scenario.name} (${kept}):\n${failures}\n${output}`);
      // From the raw request log, not the report's own counts: purchases (not catalog reads,
      // not sold-out answers) confirmed while the fault was on, each key once.
      const mine = requests.filter((r) => r.scenario === scenario.name);
      const confirmedInFault = new Set(
        mine.filter((r) => r.phase === 'fault' && confirmsOrder(r)).map((r) => r.key),
      );
      assert.ok(
        confirmedInFault.size >= report.minPurchases,
        `${scenario.name}: ${confirmedInFault.size} purchases confirmed during the fault`,
      );
      assert.equal(scenario.evidence?.purchasesConfirmed.fault, confirmedInFault.size);
      const prefix = scenario.stock?.prefix ?? '(no stock)';
      const elsewhere = mine.filter((r) => r.kind === 'purchase' && !r.eventId?.startsWith(prefix));
      assert.deepEqual(elsewhere, [], `${scenario.name} bought outside its own stock`);
      assert.ok(scenario.evidence?.smallEvents.some((e) => e.soldOutDuringFault));
    }
    assert.equal(code, 0, output);

    // The seed catalog was never touched, and every scenario's stock left the catalog.
    const events = await withDatabase(dataDir, async (pool) => {
      const { rows } = await pool.query<{ id: string; available: number; archived: boolean }>(
        'SELECT id, available, archived_at IS NOT NULL AS archived FROM events ORDER BY id',
      );
      return rows;
    });
    assert.deepEqual(
      events.find((e) => e.id === 'tiny-gig'),
      { id: 'tiny-gig', available: 3, archived: false },
    );
    const stock = events.filter((e) => e.id !== 'tiny-gig');
    assert.equal(stock.length, SCENARIOS.length * 5);
    assert.ok(stock.every((e) => e.archived));

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.equal((html.match(/<svg class="timeline"/g) ?? []).length, report.scenarios.length);
    assert.equal((html.match(/<h3>Evidence<\/h3>/g) ?? []).length, report.scenarios.length);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'the report must open without network');
    assert.equal(
      requests.length,
      report.scenarios.reduce((n, s) => n + s.requests.total, 0),
    );
    assert.ok(requests.every((r) => r.end >= 0));
    assertHonestEvidence(report, requests);
    passed = true;
  });

  it('comes out inconclusive (exit 1) when the fault action is switched off: the judge cannot be fooled by a fault that never happened', {
    timeout: RUN_TIMEOUT_MS + 60_000,
  }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-chaos-report-'));
    let passed = false;
    t.after(() => (passed ? rm(dir, { recursive: true, force: true }) : undefined));
    const args = ['--target', 'local', '--quick', '--seed', '4242', '--report', dir];
    const { code, output } = await runChaos([
      ...args,
      '--scenario',
      'flaky-logic',
      '--without-fault',
    ]);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ChaosReport;
    const [scenario] = report.scenarios;
    assert.equal(scenario?.verdict, 'inconclusive', output);
    assert.equal(code, 1, output);
    const failed = scenario.checks.filter((c) => !c.ok);
    assert.ok(
      failed.every((c) => c.evidence),
      `only evidence may be missing: ${JSON.stringify(failed)}`,
    );
    assert.deepEqual(
      failed.map((c) => c.name),
      [
        'logic says it injected 500s on orders',
        'the frontend saw the 500s logic says it injected',
        'the frontend retried the failed attempts',
      ],
    );
    passed = true;
  });
});

/**
 * The numbers behind each proof of an honest run, checked against the raw request log where
 * the buyers saw them: what was killed answered before and never after, and the frontend saw
 * the faults logic says it injected (within the proofs' stated tolerance).
 */
function assertHonestEvidence(report: ChaosReport, requests: readonly RequestRecord[]): void {
  const byName = new Map(report.scenarios.map((s) => [s.name, s]));
  const kill = byName.get('replica-kill');
  const [replica, boot] = String(kill?.notes.killed).split('@');
  const mine = requests.filter((r) => r.scenario === 'replica-kill' && r.servedBy === replica);
  const killed = mine.filter((r) => r.servedBoot === boot);
  const replacement = mine.filter((r) => r.servedBoot !== boot && r.servedBoot !== null);
  assert.ok(killed.length > 0, 'buyers were answered by the killed process before the kill');
  assert.ok(replacement.length > 0, 'buyers were answered by its replacement');
  const firstOfReplacement = Math.min(...replacement.map((r) => r.start));
  assert.ok(
    killed.every((r) => r.start < firstOfReplacement),
    'the killed process answered nothing once its replacement had started',
  );
  const faults = [
    ['flaky-logic', 'injectedBeforeOnOrders'],
    ['lost-responses', 'injectedAfterCommitOnOrders'],
  ] as const;
  for (const [name, counted] of faults) {
    const scenario = byName.get(name);
    const injected = scenario?.evidence?.fault[counted] ?? 0;
    const seen = Number(scenario?.notes.frontendFailedOrderAttempts5xx);
    assert.ok(injected > 0, `${name}: logic injected faults on orders`);
    assert.ok(
      seen > 0 && Math.abs(seen - injected) <= Math.max(5, injected / 4),
      `${name}: the frontend saw ${seen} failed order attempts, logic injected ${injected}`,
    );
    assert.ok(Number(scenario?.notes.frontendRetries) > 0, `${name}: the frontend retried`);
  }
  const replays = requests.filter(
    (r) => r.scenario === 'lost-responses' && r.replayed && confirmsOrder(r),
  );
  assert.ok(replays.length > 0, 'lost-responses: a buyer saw a lost answer replayed');
}
