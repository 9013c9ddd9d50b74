import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagedChild } from '../../src/local/child-process.ts';
import { waitUntilReady } from '../../src/local/launch.ts';
import { createTestDatabase } from '../support/database.ts';
import { request } from '../support/http.ts';
import { LogCapture, type RunningLogic, startLogic } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();

/** Starts a service as a real child process and returns its URL once it is ready. */
async function spawnService(label: string, entry: string, env: Record<string, string>) {
  const lines: string[] = [];
  const child = new ManagedChild(
    { label, entry, env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env } },
    (_l, line) => lines.push(line),
  );
  child.start();
  const listening = await child.waitForLog((r) => typeof r.port === 'number', 30_000);
  const url = `http://127.0.0.1:${listening.port as number}`;
  await waitUntilReady(`${url}/readyz`, 30_000, label);
  return { child, url, lines };
}

/**
 * Long enough that readiness is surely read while the service drains, on a slow machine too;
 * the drain only delays the exit, it never makes a test pass that should fail.
 */
const DRAIN_MS = '2000';

/** Resolves once `count` records for which `match` is true have been logged (or fails). */
function logged(
  child: ManagedChild,
  match: (record: Record<string, unknown>) => boolean,
  count = 1,
): Promise<unknown> {
  let seen = 0;
  return child.waitForLog((record) => match(record) && ++seen === count, 30_000);
}

const isDraining = (record: Record<string, unknown>) =>
  String(record.msg).startsWith('shutting down');

/**
 * Sends slow requests, SIGTERMs the process once `inFlight` says they are being worked on,
 * and watches it drain. No sleeps: each step waits for the event it needs.
 */
async function terminateUnderLoad(
  service: { child: ManagedChild; url: string },
  path: string,
  inFlight: Promise<unknown>,
) {
  const pending = Array.from({ length: 8 }, () => request(`${service.url}${path}`));
  await inFlight;
  const draining = logged(service.child, isDraining);
  process.kill(service.child.pid as number, 'SIGTERM');
  await draining;
  const readiness = await request(`${service.url}/readyz`);
  const responses = await Promise.all(pending);
  const exitCode = await service.child.exited;
  return { readiness, responses, exitCode };
}

describe(`graceful shutdown on SIGTERM (real child processes, ${db.engine} database)`, () => {
  const logicLogs = new LogCapture();
  let logic: RunningLogic;
  before(async () => {
    // Every API request to this replica takes 1.5 s: logged as it arrives, then still in flight.
    logic = await startLogic({
      databaseUrl: db.url,
      faults: { rate: 1, latencyMs: 1500, mode: 'delay' },
      logs: logicLogs,
    });
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });
  const faultLines = () => logicLogs.records.filter((r) => r.msg === 'injecting fault').length;

  it('logic turns readiness to 503, finishes every in-flight request and exits 0', async () => {
    const service = await spawnService('logic', 'src/logic/main.ts', {
      DATABASE_URL: db.url,
      FAULT_RATE: '1',
      FAULT_MODE: 'delay',
      FAULT_LATENCY_MS: '1500',
      SHUTDOWN_DRAIN_MS: DRAIN_MS,
    });
    const arrived = logged(service.child, (r) => r.msg === 'injecting fault', 8);
    const { readiness, responses, exitCode } = await terminateUnderLoad(
      service,
      '/events',
      arrived,
    );
    assert.equal(readiness.status, 503);
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.ok(
      responses.every((r) => r.headers.get('connection') === 'close'),
      'drained responses close the connection',
    );
    assert.equal(exitCode, 0);
    assert.ok(service.lines.some((l) => l.includes('shutdown complete')));
  });

  it('the frontend does the same with calls to logic in flight', async () => {
    const service = await spawnService('frontend', 'src/frontend/main.ts', {
      LOGIC_URL: logic.url,
      SHUTDOWN_DRAIN_MS: DRAIN_MS,
    });
    // The frontend's readers share one catalog call to logic: in flight once logic logs it.
    const faultsBefore = faultLines();
    const { readiness, responses, exitCode } = await terminateUnderLoad(
      service,
      '/api/events',
      waitFor('the catalog call to reach logic', () => faultLines() > faultsBefore),
    );
    assert.equal(readiness.status, 503);
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.equal(exitCode, 0);
  });

  it('a second signal exits at once', async () => {
    const service = await spawnService('logic', 'src/logic/main.ts', {
      DATABASE_URL: db.url,
      SHUTDOWN_DRAIN_MS: '10000',
    });
    const draining = logged(service.child, isDraining);
    process.kill(service.child.pid as number, 'SIGTERM');
    // Signals of one kind do not queue: the second is sent once the first was handled.
    await draining;
    process.kill(service.child.pid as number, 'SIGTERM');
    assert.equal(await service.child.exited, 1);
  });
});
