import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../support/database.ts';
import { type EventsBody, newKey, request } from '../support/http.ts';
import {
  LogCapture,
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();
/** Longer than any test here can take, so no list ages out behind a test's back. */
const NEVER_STALE_MS = String(10 * 60_000);

/**
 * A real HTTP hop between frontend and logic that can hold logic's answer to the next
 * GET /events until the test lets it go: a catalog call that is provably still under way.
 */
async function startHoldingProxy(target: string) {
  let hold: { arrived: () => void; release: Promise<void> } | undefined;
  let onCatalogCall: (() => void) | undefined;
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/events') onCatalogCall?.();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') {
        headers.set(name, value);
      }
    }
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    const held = req.url === '/events' ? hold : undefined;
    if (held) {
      hold = undefined;
      held.arrived();
      await held.release;
    }
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Holds the next catalog answer; resolves `arrived` once logic has answered it. */
    holdNextCatalog() {
      const { promise: arrived, resolve: onArrived } = deferred();
      const { promise: release, resolve: releaseIt } = deferred();
      hold = { arrived: onArrived, release };
      return { arrived, release: releaseIt };
    },
    /** Resolves when the next GET /events reaches the proxy. */
    nextCatalogCall() {
      const { promise, resolve } = deferred();
      onCatalogCall = () => {
        onCatalogCall = undefined;
        resolve();
      };
      return promise;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const seatsOf = (body: EventsBody, id: string) => body.events.find((e) => e.id === id)?.available;

describe(`GET /api/events under concurrent load (${db.engine} database)`, () => {
  const logs = new LogCapture();
  const logicReads = () =>
    logs.records.filter(
      (r) => r.msg === 'request completed' && (r.req as { url: string }).url === '/events',
    );
  let logic: RunningLogic;
  let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
  let frontend: RunningFrontend;
  before(async () => {
    // Each catalog read takes 300 ms in logic, so concurrent browsers surely overlap.
    logic = await startLogic({
      databaseUrl: db.url,
      faults: { rate: 1, latencyMs: 300, mode: 'delay' },
      logs,
    });
    proxy = await startHoldingProxy(logic.url);
    frontend = await startFrontend({
      logicUrls: [proxy.url],
      // No attempt timeout or retry may end a held call: only the test does.
      env: {
        CATALOG_MAX_AGE_MS: NEVER_STALE_MS,
        LOGIC_ATTEMPT_TIMEOUT_MS: NEVER_STALE_MS,
        LOGIC_DEADLINE_MS: NEVER_STALE_MS,
      },
    });
  });
  after(async () => {
    await frontend.close();
    await proxy.close();
    await logic.close();
    await db.drop();
  });

  it('shares one call to logic between concurrent readers, and each gets the fresh list', async () => {
    const before = logicReads().length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request<EventsBody>(`${frontend.url}/api/events`)),
    );
    assert.ok(
      answers.every((a) => a.status === 200 && a.body.stale === false && a.body.events.length > 0),
    );
    const reads = logicReads().length - before;
    assert.ok(reads <= 1, `${reads} calls to logic for 20 readers`);
  });

  it('serves a list younger than CATALOG_MAX_AGE_MS without asking logic again', async () => {
    await request(`${frontend.url}/api/events`);
    const before = logicReads().length;
    await request(`${frontend.url}/api/events`);
    await request(`${frontend.url}/api/events`);
    assert.equal(logicReads().length, before);
  });

  it('shows the buyer their seats gone right after an order through this frontend', async () => {
    const first = await request<EventsBody>(`${frontend.url}/api/events`);
    const seatsBefore = seatsOf(first.body, 'chamber-quartet') ?? 0;
    const order = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'chamber-quartet', quantity: 3 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(order.status, 201);
    const after = await request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal(seatsOf(after.body, 'chamber-quartet'), seatsBefore - 3);
  });

  it('never answers a read made after an order with a catalog call that began before it', async () => {
    // An order drops the list first, so the read below surely asks logic.
    const warmup = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'chamber-quartet', quantity: 1 },
      headers: { 'idempotency-key': newKey() },
    });
    assert.equal(warmup.status, 201);
    const held = proxy.holdNextCatalog();
    const early = request<EventsBody>(`${frontend.url}/api/events`);
    await held.arrived; // logic has answered with the stock before the order below
    let late: Promise<{ body: EventsBody }>;
    let seatsBefore: number | undefined;
    try {
      seatsBefore = seatsOf(
        (await request<EventsBody>(`${logic.url}/events`)).body,
        'chamber-quartet',
      );
      const order = await request(`${frontend.url}/api/orders`, {
        method: 'POST',
        body: { eventId: 'chamber-quartet', quantity: 3 },
        headers: { 'idempotency-key': newKey() },
      });
      assert.equal(order.status, 201);
      const lateCall = proxy.nextCatalogCall();
      late = request<EventsBody>(`${frontend.url}/api/events`);
      // Fixed code asks logic anew, which lets the held call go. Code that joins the held call
      // never asks; then the held call is let go after 2 s, and the stock below is the old one.
      // The one fixed wait kept on purpose: only broken code, whose call never comes, waits it.
      await Promise.race([lateCall, sleep(2000)]);
    } finally {
      held.release();
    }
    assert.equal(seatsOf((await late).body, 'chamber-quartet'), (seatsBefore ?? 0) - 3);
    await early;
    const again = await request<EventsBody>(`${frontend.url}/api/events`);
    assert.equal(
      seatsOf(again.body, 'chamber-quartet'),
      seatsOf((await request<EventsBody>(`${logic.url}/events`)).body, 'chamber-quartet'),
      'the older call, finishing last, did not bring the old stock back',
    );
  });
});
