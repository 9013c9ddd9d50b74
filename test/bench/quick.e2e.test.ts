import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { BenchReport } from '../../src/bench/report.ts';

const run = promisify(execFile);

/** Checks the shape and sanity of the figures, never their speed: CI machines are noisy. */
describe('npm run bench -- --quick', () => {
  it('measures every scenario and writes the JSON figures docs/BENCHMARKS.md describes', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-bench-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'bench.json');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--json', file],
      { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
    );
    assert.match(stdout, /purchaseVsDirect/, 'prints the table');
    const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;

    assert.equal(report.profile, 'quick');
    assert.ok(report.runs >= 2, 'figures are medians over repeated runs');
    assert.ok(report.machine.cores >= 1 && report.machine.cpu && report.machine.database);

    const names = new Set(report.results.map((r) => r.name));
    for (const name of [
      'purchase.frontend',
      'purchase.direct',
      'purchase.gateway',
      'catalog.frontend',
      'catalog.express',
      'purchase.frontend.2replicas.faults20',
      'purchase.frontend.1replica.faults20',
      'purchase.frontend.2replicas',
    ]) {
      assert.ok(names.has(name), `results include ${name}`);
    }
    assert.ok([...names].some((n) => n.startsWith('growth.purchase.')));
    assert.ok([...names].some((n) => n.startsWith('growth.catalog.')));

    for (const r of report.results) {
      const { median, min, max } = r.reqPerSec;
      assert.ok(Number.isInteger(r.connections) && r.connections > 0, `${r.name} connections`);
      for (const value of [median, min, max, r.latencyMs.p50, r.latencyMs.p99]) {
        assert.ok(Number.isFinite(value) && value >= 0, `${r.name}: ${value} is a finite figure`);
      }
      assert.ok(min <= median && median <= max, `${r.name}: min <= median <= max`);
      assert.ok(median > 0, `${r.name} answered requests`);
      assert.ok(r.successRate >= 0 && r.successRate <= 1, `${r.name} successRate in [0,1]`);
    }
    // Clean runs must essentially all succeed (a slow CI machine may time out a stray one),
    // and the frontend's retries must hide nearly all of the 20% injected faults.
    for (const r of report.results) {
      assert.ok(r.successRate >= 0.99, `${r.name}: success rate ${r.successRate}`);
    }

    for (const ratio of [
      'purchaseVsDirect',
      'catalogVsExpress',
      'faultP99VsClean',
      'faultP99VsClean1Replica',
    ] as const) {
      const value = report.ratios[ratio];
      assert.ok(value !== undefined && Number.isFinite(value) && value > 0, `${ratio} present`);
    }
    assert.equal(report.targets.length, 4);

    // The flash sale: every sell-out checked from the database, and the two ratios present.
    const flash = report.flash;
    assert.ok(flash, 'the flash-sale group is in the report');
    assert.equal(flash.correct, true, `flash check: ${flash.failures.join('; ')}`);
    assert.equal(flash.counts.seatsSold, flash.counts.capacity, 'every seat sold, no more');
    assert.ok(flash.counts.created > 0 && flash.counts.soldOutRefusals > 0);
    assert.deepEqual(
      flash.results.map((r) => r.name),
      ['flash.frontend', 'flash.direct', 'flash.statement'],
    );
    for (const r of flash.results) {
      assert.ok(r.seatsPerSec > 0 && r.soldOutMs > 0, `${r.name} sold out`);
      assert.ok((r.cpu.msPerPurchase.bench ?? 0) > 0, `${r.name}: the load generator's CPU`);
    }
    for (const ratio of ['flashVsStatement', 'flashDirectVsStatement']) {
      const value = report.ratios[ratio];
      assert.ok(value !== undefined && Number.isFinite(value) && value > 0, `${ratio} present`);
    }
    assert.ok(report.memory.some((m) => m.service.startsWith('logic') && (m.idleMiB ?? 0) > 0));
  });

  it('measures only the groups named by --only, and judges only their targets', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'flame-bench-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'bench.json');
    await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--only', 'catalog', '--json', file],
      { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    assert.deepEqual(report.results.map((r) => r.name).sort(), [
      'catalog.express',
      'catalog.frontend',
    ]);
    assert.deepEqual(Object.keys(report.ratios), ['catalogVsExpress']);
    assert.deepEqual(
      report.targets.map((target) => target.ratio),
      ['catalogVsExpress'],
    );
  });

  it('refuses an unknown group with exit code 2 and the list of groups', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--only', 'catalog,speed']),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 2);
        assert.match(
          error.stderr ?? '',
          /unknown group speed; choose from purchase, flash, catalog/,
        );
        return true;
      },
    );
  });
});
