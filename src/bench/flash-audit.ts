import pg from 'pg';
import type { Purchase } from './flash-buyers.ts';

/** What the database says about one sell-out, checked against what the buyers were told. */
export interface FlashCounts {
  capacity: number;
  /** Seats the orders in the database add up to, and the event's seats left. */
  seatsSold: number;
  available: number;
  orders: number;
  /** Transactions that wrote those orders (distinct xmin): orders / transactions is the
   *  mean batch, as the database saw it. */
  transactions: number;
  /** Answers the buyers got: 201, 409 with 0 left, 409 with some (fewer than asked) left. */
  created: number;
  soldOutRefusals: number;
  shortRefusals: number;
  /** Failures (5xx, timeouts, no answer): none in a clean flash sale. */
  errors: number;
  /** Keys with more than one order, 409s given while the seats asked for were there, and
   *  answers that differ from the outcome recorded under their key. */
  duplicateKeys: number;
  wrongRefusals: number;
  mismatched: number;
}

export interface FlashAudit {
  correct: boolean;
  counts: FlashCounts;
  failures: string[];
}

interface Recorded {
  key: string;
  status: number;
  seats_left: number | null;
  order_id: string | null;
}

async function readEvent(client: pg.Client, eventId: string) {
  const { rows } = await client.query<{
    capacity: number;
    available: number;
    sold: number;
    orders: number;
    transactions: number;
    duplicates: number;
  }>(
    `SELECT e.capacity, e.available,
            (SELECT coalesce(sum(quantity), 0)::int FROM orders WHERE event_id = e.id) AS sold,
            (SELECT count(*)::int FROM orders WHERE event_id = e.id) AS orders,
            (SELECT count(DISTINCT xmin::text)::int FROM orders WHERE event_id = e.id)
              AS transactions,
            (SELECT count(*)::int FROM (SELECT 1 FROM orders WHERE event_id = e.id
               GROUP BY idempotency_key HAVING count(*) > 1) AS d) AS duplicates
       FROM events e WHERE e.id = $1`,
    [eventId],
  );
  const row = rows[0];
  if (!row) throw new Error(`flash event ${eventId} is gone`);
  return row;
}

/** Every buyer's answer against its key's recorded outcome: same status, order and seats left. */
function mismatches(purchases: readonly Purchase[], recorded: Map<string, Recorded>): string[] {
  const found: string[] = [];
  for (const p of purchases) {
    if (p.status !== 201 && p.status !== 409) continue;
    const r = recorded.get(p.key);
    const same =
      r !== undefined &&
      r.status === p.status &&
      (p.status === 201 ? r.order_id === p.orderId : r.seats_left === p.available);
    if (!same) found.push(`${p.key}: buyer saw ${p.status}, recorded ${r?.status ?? 'nothing'}`);
  }
  return found;
}

/**
 * The correctness check after each sell-out, read from the database (not from any service's
 * counters): every seat sold and no more, one order per key, each buyer's answer the outcome
 * recorded under its key, and no refusal while the seats asked for were still there.
 */
export async function auditFlash(
  databaseUrl: string,
  eventId: string,
  purchases: readonly Purchase[],
): Promise<FlashAudit> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const event = await readEvent(client, eventId);
    const { rows } = await client.query<Recorded>(
      'SELECT key, status, seats_left, order_id FROM idempotency_keys WHERE key = ANY($1::text[])',
      [purchases.map((p) => p.key)],
    );
    const recorded = new Map(rows.map((row) => [row.key, row]));
    const refusals = purchases.filter((p) => p.status === 409);
    const wrong = refusals.filter((p) => (recorded.get(p.key)?.seats_left ?? 0) >= p.quantity);
    const mismatched = mismatches(purchases, recorded);
    const counts: FlashCounts = {
      capacity: event.capacity,
      seatsSold: event.sold,
      available: event.available,
      orders: event.orders,
      transactions: event.transactions,
      created: purchases.filter((p) => p.status === 201).length,
      soldOutRefusals: refusals.filter((p) => p.available === 0).length,
      shortRefusals: refusals.filter((p) => (p.available ?? 0) > 0).length,
      errors: purchases.filter((p) => p.status !== 201 && p.status !== 409).length,
      duplicateKeys: event.duplicates,
      wrongRefusals: wrong.length,
      mismatched: mismatched.length,
    };
    const failures = [
      ...(event.sold === event.capacity && event.available === 0
        ? []
        : [`sold ${event.sold} of ${event.capacity} seats, ${event.available} left`]),
      ...(counts.orders === counts.created
        ? []
        : [`${counts.orders} orders, ${counts.created} 201s`]),
      ...(counts.errors === 0 ? [] : [`${counts.errors} purchases failed`]),
      ...(counts.duplicateKeys === 0 ? [] : [`${counts.duplicateKeys} keys with two orders`]),
      ...wrong.map((p) => `${p.key}: 409 for ${p.quantity} with enough seats left`),
      ...mismatched,
    ];
    return { correct: failures.length === 0, counts, failures: failures.slice(0, 20) };
  } finally {
    await client.end();
  }
}

/** A fresh event for one sell-out, so runs do not mix. */
export async function createFlashEvent(databaseUrl: string, id: string, capacity: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
       VALUES ($1, 'Flash sale', 'Loopback Arena', now() + interval '30 days', 9000, $2, $2)`,
      [id, capacity],
    );
  } finally {
    await client.end();
  }
}

/**
 * Takes the event out of the catalog after its check. Its orders stay: a purchase the frontend
 * gave up on (an attempt past its timeout, answered by a retry) may still be on its way in
 * logic, and deleting rows under it could deadlock with it. Event ids are unique per run.
 */
export async function retireFlashEvent(databaseUrl: string, id: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('UPDATE events SET archived_at = now() WHERE id = $1', [id]);
  } finally {
    await client.end();
  }
}
