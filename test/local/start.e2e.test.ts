import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import psList from 'ps-list';
import { newKey, type OrderBody, request } from '../support/http.ts';
import { isAlive } from '../support/processes.ts';
import { scrape } from '../support/prometheus.ts';
import { waitFor } from '../support/wait.ts';

const running: ChildProcess[] = [];

/** Runs `npm start`'s entry point as a user would, and waits for the URL it prints. */
async function startShop(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    LOGIC_BASE_PORT: '0',
    METRICS_BASE_PORT: '0',
    DATA_DIR: dataDir,
    // Passed through to the frontend: every catalog read goes to logic, so both replicas show.
    CATALOG_MAX_AGE_MS: '0',
  };
  delete env.DATABASE_URL;
  // Its own process group, like a shell job, so the test can press Ctrl-C on the whole group.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  const ready = /FlameTickets is ready: (http:\/\/localhost:\d+)/;
  await waitFor('npm start to print its URL', () => ready.test(text) || child.exitCode !== null, {
    timeoutMs: 90_000,
    intervalMs: 100,
  }).catch(() => undefined);
  const url = ready.exec(text)?.[1];
  if (url) return { child, url, output: () => text };
  child.kill('SIGKILL');
  throw new Error(`npm start did not print its URL:\n${text}`);
}

/**
 * The runner's service processes (ps-list: Linux and macOS): its children running one of our
 * entry points, with that entry point. Other children are not services: tsx starts an esbuild
 * helper process the first time it has to compile a file (cold cache, as on a fresh clone).
 */
async function servicePids(pid: number): Promise<Array<{ pid: number; entry: string }>> {
  const services: Array<{ pid: number; entry: string }> = [];
  for (const child of await psList()) {
    if (child.ppid !== pid) continue;
    const main = (child.cmd ?? '')
      .split(' ')
      .find((arg) => arg.startsWith('src/') && arg.endsWith('main.ts'));
    if (main) services.push({ pid: child.pid, entry: main });
  }
  return services;
}

/** This machine's first address other than loopback, where a LAN neighbour would connect. */
function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') return address.address;
    }
  }
  return undefined;
}

/** Whether a TCP connection to host:port is accepted. */
async function accepts(host: string, port: number): Promise<boolean> {
  const socket = connect(port, host);
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** The banner names each service's /metrics; the frontend's and logic's counted the purchase. */
async function assertMetricsCounted(output: string): Promise<void> {
  const urls = /Metrics \(Prometheus text\): (.*)/.exec(output)?.[1]?.split(', ') ?? [];
  assert.equal(urls.length, 3, `the banner names three metrics URLs:\n${output}`);
  const [frontend = '', ...logic] = urls;
  const answered = (await scrape(frontend)).value('flame_logic_calls_total', {
    outcome: 'answered',
  });
  assert.ok(answered >= 5, `the frontend counted its calls to logic (${answered})`);
  let placed = 0;
  for (const url of logic) placed += (await scrape(url)).value('flame_orders_placed_total');
  assert.equal(placed, 1, 'one order placed, counted by the replica that placed it');
}

describe('npm start (the local runner, real child processes, embedded database)', () => {
  let dataDir: string;
  after(async () => {
    // A failed assertion must not leave a shop running: SIGKILL the runner, whose services
    // then see their IPC channel close and stop by themselves.
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the shop with two logic replicas, stops cleanly on SIGTERM, and keeps orders across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-start-'));
    const first = await startShop(dataDir);
    const servedBy = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await request(`${first.url}/api/events`);
      servedBy.add(res.headers.get('x-served-by') ?? '');
    }
    assert.deepEqual([...servedBy].sort(), ['logic-1', 'logic-2']);
    // Nothing on the network can reach the shop unless HOST says so.
    const lan = lanAddress();
    const port = Number(new URL(first.url).port);
    if (lan) assert.equal(await accepts(lan, port), false, `the shop answers on ${lan}:${port}`);
    else
      process.stderr.write(
        'start.e2e.test: no network address besides loopback, exposure not checked\n',
      );
    const order = await request<OrderBody>(`${first.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'jazz-night', quantity: 2 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(order.status, 201);
    await assertMetricsCounted(first.output());

    const services = await servicePids(first.child.pid as number);
    assert.deepEqual(
      services.map((service) => service.entry).sort(),
      [
        'src/frontend/main.ts',
        'src/local/embedded-db-main.ts',
        'src/logic/main.ts',
        'src/logic/main.ts',
      ],
      'database, two logic replicas and the frontend',
    );
    const children = services.map((service) => service.pid);
    // Ctrl-C in a terminal sends SIGINT to the whole foreground process group.
    const startedAt = Date.now();
    process.kill(-(first.child.pid as number), 'SIGINT');
    const [code] = await once(first.child, 'exit');
    assert.equal(code, 0);
    assert.ok(Date.now() - startedAt < 10_000, 'stopped within a few seconds');
    const output = first.output();
    assert.equal(
      (output.match(/shutdown complete/g) ?? []).length,
      3,
      'frontend and both replicas drained',
    );
    assert.doesNotMatch(output, /second shutdown signal|exited unexpectedly/);
    assert.deepEqual(children.filter(isAlive), [], 'no process left behind');

    const second = await startShop(dataDir);
    try {
      const again = await request<OrderBody>(`${second.url}/api/orders/${order.body.order.id}`);
      assert.equal(again.status, 200);
      const { id, eventId, quantity } = order.body.order;
      assert.deepEqual(
        {
          id: again.body.order.id,
          eventId: again.body.order.eventId,
          quantity: again.body.order.quantity,
        },
        { id, eventId, quantity },
      );
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});
