import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedChild } from '../src/local/child-process.ts';
import { waitUntilReady } from '../src/local/system.ts';
import { createTestDatabase } from './support/database.ts';
import { request } from './support/http.ts';
import { type RunningLogic, startLogic } from './support/servers.ts';

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

/** Sends slow requests, SIGTERMs the process while they are in flight, and watches it drain. */
async function terminateUnderLoad(service: { child: ManagedChild; url: string }, path: string) {
  const inFlight = Array.from({ length: 8 }, () => request(`${service.url}${path}`));
  await sleep(200);
  process.kill(service.child.pid as number, 'SIGTERM');
  await sleep(100);
  const readiness = await request(`${service.url}/readyz`);
  const responses = await Promise.all(inFlight);
  const exitCode = await service.child.exited;
  return { readiness, responses, exitCode };
}

describe(`graceful shutdown on SIGTERM (real child processes, ${db.engine} database)`, () => {
  let logic: RunningLogic;
  before(async () => {
    // Every API request to this replica takes 800 ms, so requests are surely in flight.
    logic = await startLogic({
      databaseUrl: db.url,
      faults: { rate: 1, latencyMs: 800, mode: 'delay' },
    });
  });
  after(async () => {
    await logic.close();
    await db.drop();
  });

  it('logic turns readiness to 503, finishes every in-flight request and exits 0', async () => {
    const service = await spawnService('logic', 'src/logic/main.ts', {
      DATABASE_URL: db.url,
      FAULT_RATE: '1',
      FAULT_MODE: 'delay',
      FAULT_LATENCY_MS: '800',
      SHUTDOWN_DRAIN_MS: '400',
    });
    const { readiness, responses, exitCode } = await terminateUnderLoad(service, '/events');
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
      SHUTDOWN_DRAIN_MS: '400',
    });
    const { readiness, responses, exitCode } = await terminateUnderLoad(service, '/api/events');
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
    process.kill(service.child.pid as number, 'SIGTERM');
    await sleep(200);
    process.kill(service.child.pid as number, 'SIGTERM');
    assert.equal(await service.child.exited, 1);
  });
});
