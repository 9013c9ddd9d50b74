/** `npm start` as a user runs it, for suites that drive the whole shop from outside. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import psList from 'ps-list';
import { newKey, type OrderBody, request } from './http.ts';
import { isAlive, spawnNpmStart } from './processes.ts';
import { waitFor } from './wait.ts';

export interface Shop {
  child: ChildProcess;
  frontendUrl: string;
  logicUrls: string[];
  dbPort: number;
  adminToken: string;
  output: () => string;
}

const ADMIN_TOKEN = 'wire-suite-admin-token-0123456789';

/** Starts the runner in its own process group and waits for the URLs it prints. */
export async function startShop(dataDir: string, env: Record<string, string> = {}): Promise<Shop> {
  const { child, output } = spawnNpmStart(
    { PORT: '0', LOGIC_BASE_PORT: '0', DATA_DIR: dataDir, ADMIN_TOKEN, ...env },
    { direct: true },
  );
  const ready = /FlameTickets is ready: (http:\/\/localhost:\d+)/;
  const logicLine = /Logic replicas: (http:\/\/[\d.:]+(?:, http:\/\/[\d.:]+)*)/;
  const dbUrl = /postgres:\/\/postgres:postgres@127\.0\.0\.1:(\d+)\/postgres/;
  // The banner comes in more than one write: wait for every line read below, not the first.
  const printed = () => [ready, logicLine, dbUrl].every((line) => line.test(output()));
  await waitFor('npm start to print its URLs', () => printed() || child.exitCode !== null, {
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  const frontendUrl = ready.exec(output())?.[1];
  const logic = logicLine.exec(output())?.[1];
  const db = dbUrl.exec(output())?.[1];
  if (!frontendUrl || !logic || !db) {
    child.kill('SIGKILL');
    throw new Error(`npm start did not print its URLs:\n${output()}`);
  }
  return {
    child,
    frontendUrl,
    logicUrls: logic.split(', '),
    dbPort: Number(db),
    adminToken: ADMIN_TOKEN,
    output,
  };
}

/** The runner's service processes (ps-list: Linux and macOS): children running an entry point. */
export async function servicePids(pid: number): Promise<number[]> {
  return (await psList())
    .filter((p) => p.ppid === pid)
    .filter((p) =>
      (p.cmd ?? '').split(' ').some((arg) => arg.startsWith('src/') && arg.endsWith('main.ts')),
    )
    .map((p) => p.pid);
}

/** SIGKILL to the runner and every service at once: a power cut, as far as processes go. */
export async function killShop(shop: Shop): Promise<void> {
  const pid = shop.child.pid as number;
  const pids = [pid, ...(await servicePids(pid))];
  for (const each of pids) process.kill(each, 'SIGKILL');
  await waitFor('every shop process to be gone', () => pids.every((each) => !isAlive(each)));
}

export async function stopShop(shop: Shop): Promise<void> {
  const { child } = shop;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** One purchase through the frontend, which must be confirmed within `withinMs`. */
export async function purchase(shop: Shop, withinMs = 2_000): Promise<OrderBody['order']> {
  const startedAt = Date.now();
  const response = await fetch(`${shop.frontendUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
    body: JSON.stringify({ eventId: 'open-air-festival', quantity: 1 }),
    signal: AbortSignal.timeout(withinMs),
  }).catch((error: Error) => {
    throw new Error(`no purchase confirmation within ${withinMs} ms (${error.message})`);
  });
  const body = (await response.json()) as OrderBody;
  assert.equal(response.status, 201, `purchase answered ${JSON.stringify(body)}`);
  assert.ok(Date.now() - startedAt <= withinMs);
  return body.order;
}

interface AuditBody {
  events: { id: string; capacity: number; available: number; orderedQuantity: number }[];
  orders: { id: string; idempotencyKey: string }[];
}

/** The ledger adds up, and every order a buyer saw confirmed is in it. */
export async function assertLedger(shop: Shop, confirmedIds: readonly string[]): Promise<void> {
  const audit = await request<AuditBody>(`${shop.logicUrls[0]}/admin/audit`, {
    headers: { authorization: `Bearer ${shop.adminToken}` },
  });
  assert.equal(audit.status, 200);
  for (const event of audit.body.events) {
    assert.ok(event.available >= 0, `${event.id} oversold`);
    assert.equal(event.orderedQuantity, event.capacity - event.available, `${event.id} ledger`);
  }
  const keys = audit.body.orders.map((order) => order.idempotencyKey);
  assert.equal(new Set(keys).size, keys.length, 'one order per idempotency key');
  const stored = new Set(audit.body.orders.map((order) => order.id));
  const lost = confirmedIds.filter((id) => !stored.has(id));
  assert.deepEqual(lost, [], 'confirmed orders missing from the database');
}
