import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { PLACE_ORDER_SQL, placeOrderParams } from '../logic/orders.ts';

/** What one purchase got: its status, and the order or the seats left it was told of. */
export interface Answer {
  status: number;
  orderId?: string | undefined;
  available?: number | undefined;
}

/** One purchase as a buyer saw it. */
export interface Purchase extends Answer {
  key: string;
  quantity: number;
  startedMs: number;
  latencyMs: number;
}

/** Sends one purchase with its own key; never throws (a failure is status 0). */
export type Send = (key: string, quantity: number) => Promise<Answer>;

/** The buyers' side of one sell-out. */
export interface SellOut {
  purchases: Purchase[];
  /** From the first purchase sent to the last seat's 201 answered. */
  soldOutMs: number;
}

/** Draws 1–4 tickets per purchase from a fixed seed, so every variant sees the same demand. */
function quantities(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return 1 + ((state >>> 0) % 4);
  };
}

/** Too many failures means the system is broken; the buyers give up rather than spin. */
const MAX_FAILURES = 200;

/**
 * `buyers` buyers at once, each buying again as soon as answered (a new key every time) until
 * told the event is sold out (409 with 0 left). A 409 with seats still left (asked for more
 * than there were) is a refusal the buyer shrugs off: the next purchase draws a new quantity.
 */
export async function sellOut(send: Send, buyers: number, seed: number): Promise<SellOut> {
  const purchases: Purchase[] = [];
  const started = performance.now();
  let lastSale = started;
  let failures = 0;
  const buyer = async (index: number) => {
    const next = quantities(seed * 1000 + index);
    for (;;) {
      const key = `flash-${randomUUID()}`;
      const quantity = next();
      const t0 = performance.now();
      const answer = await send(key, quantity);
      const t1 = performance.now();
      purchases.push({ key, quantity, startedMs: t0 - started, latencyMs: t1 - t0, ...answer });
      if (answer.status === 201) lastSale = t1;
      else if (answer.status === 409 && answer.available === 0) return;
      else if (answer.status !== 409 && ++failures > MAX_FAILURES) return;
    }
  };
  await Promise.all(Array.from({ length: buyers }, (_, i) => buyer(i)));
  return { purchases, soldOutMs: lastSale - started };
}

/** A sender for each sell-out, sharing what stays open between them (sockets, connections). */
export interface Buyers {
  senderFor(eventId: string): Send;
  close(): Promise<void>;
}

/**
 * Purchases over HTTP (frontend or logic), one keep-alive socket per buyer, kept from one
 * sell-out to the next so only the warm-up pays for connecting.
 */
export function httpBuyers(url: string, buyers: number): Buyers {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: buyers });
  return {
    senderFor: (eventId) => httpSend(target, agent, eventId),
    close: async () => agent.destroy(),
  };
}

function httpSend(target: URL, agent: http.Agent, eventId: string): Send {
  return (key, quantity) =>
    new Promise<Answer>((resolve) => {
      const body = JSON.stringify({ eventId, quantity });
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          timeout: 10_000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': key,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(readAnswer(res.statusCode ?? 0, chunks)));
          res.on('error', () => resolve({ status: 0 }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => resolve({ status: 0 }));
      req.end(body);
    });
}

function readAnswer(status: number, chunks: Buffer[]): Answer {
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      order?: { id?: string };
      error?: { details?: { available?: number } };
    };
    return { status, orderId: body.order?.id, available: body.error?.details?.available };
  } catch {
    return { status };
  }
}

/**
 * The reference: logic's own one-purchase statement (PLACE_ORDER_SQL), one transaction per
 * purchase, from a pool of `pg` clients in this process — no HTTP, no service.
 */
export function statementBuyers(databaseUrl: string, connections: number): Buyers {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
  return { senderFor: (eventId) => statementSend(pool, eventId), close: () => pool.end() };
}

function statementSend(pool: pg.Pool, eventId: string): Send {
  return async (key, quantity) => {
    const params = placeOrderParams({ key, request: { eventId, quantity }, servedBy: 'bench' });
    try {
      const { rows } = await pool.query<{ status: number; seats_left: number | null; id: string }>(
        PLACE_ORDER_SQL,
        params,
      );
      const row = rows[0];
      if (!row) return { status: 0 };
      const available = row.status === 409 ? (row.seats_left ?? 0) : undefined;
      return { status: row.status, orderId: row.id ?? undefined, available };
    } catch {
      return { status: 0 };
    }
  };
}
