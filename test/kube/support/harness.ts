// Shared by the script tests: per-test stand-ins, a kind config on a free port, and a stand-in
// shop for the deploy smoke purchase.
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { makeStandIns, type StandIns } from './stand-ins.ts';

/** Each test has its own stand-ins and state, so the tests of a suite can run side by side. */
export const CONCURRENT = { concurrency: 4 };

export async function standIns(t: TestContext, tools?: string[]): Promise<StandIns> {
  const s = await makeStandIns(tools);
  t.after(() => s.cleanup());
  return s;
}

/** A kind config in the stand-ins' folder publishing `hostPort`, so tests never need 8080. */
export async function clusterConfig(s: StandIns, hostPort: number): Promise<string> {
  const path = join(s.state, 'kind-cluster.yaml');
  await writeFile(
    path,
    `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: flame
nodes:
  - role: control-plane
    extraPortMappings:
      - containerPort: 30080
        hostPort: ${hostPort}
        listenAddress: 127.0.0.1
`,
  );
  return path;
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A stand-in shop on 127.0.0.1 that records the requests the deploy smoke test makes. */
function fakeShop(mode: 'ok' | 'unavailable') {
  const requests: { method: string; url: string; key: string | undefined }[] = [];
  const orders = new Map<string, string>();
  const server = createServer((req, res) => {
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method ?? '', url: req.url ?? '', key });
    res.setHeader('content-type', 'application/json');
    if (mode === 'unavailable') {
      res.statusCode = 503;
      res.end('{"error":{"code":"SERVICE_UNAVAILABLE","message":"try later"}}');
      return;
    }
    if (req.method === 'GET' && req.url === '/api/events') {
      res.end(
        JSON.stringify({
          events: [
            { id: 'sold-out', available: 0 },
            { id: 'ev-1', available: 3 },
          ],
          stale: false,
        }),
      );
      return;
    }
    if (req.method === 'POST' && req.url === '/api/orders' && key) {
      const replay = orders.has(key);
      if (!replay) orders.set(key, `order-${orders.size + 1}`);
      // Like logic: the same 201, marked as a replay.
      res.statusCode = 201;
      if (replay) res.setHeader('idempotent-replayed', 'true');
      res.setHeader('x-served-by', 'flame-logic-abc');
      res.end(JSON.stringify({ order: { id: orders.get(key) } }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return { server, requests };
}

/** Starts a stand-in shop for one test and returns its URL. */
export async function startShop(t: TestContext, mode: 'ok' | 'unavailable') {
  const shop = fakeShop(mode);
  const url = `http://127.0.0.1:${await listen(shop.server)}`;
  t.after(() => new Promise((resolve) => shop.server.close(resolve)));
  return { url, requests: shop.requests };
}
