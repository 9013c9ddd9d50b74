import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../shared/errors.ts';
import type { OrderRequest } from '../shared/order-request.ts';
import type { Pool } from './database.ts';

export interface Order {
  id: string;
  eventId: string;
  quantity: number;
  email: string | null;
  idempotencyKey: string;
  servedBy: string;
  createdAt: string;
}

export interface PlaceOrderResult {
  order: Order;
  /** True when the key had already been used for this same request. */
  replayed: boolean;
}

interface OrderRow {
  id: string;
  idempotency_key: string;
  request_hash: string;
  event_id: string;
  quantity: number;
  email: string | null;
  served_by: string;
  created_at: Date;
}

type Queryable = Pick<pg.Pool, 'query'>;

const ORDER_COLUMNS =
  'id, idempotency_key, request_hash, event_id, quantity, email, served_by, created_at';

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    eventId: row.event_id,
    quantity: row.quantity,
    email: row.email,
    idempotencyKey: row.idempotency_key,
    servedBy: row.served_by,
    createdAt: row.created_at.toISOString(),
  };
}

/** The same logical request always hashes the same, whatever the key order of its JSON. */
export function hashOrderRequest(request: OrderRequest): string {
  const canonical = JSON.stringify([request.eventId, request.quantity, request.email ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function findByKey(db: Queryable, key: string): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = $1`,
    [key],
  );
  return rows[0];
}

function replay(existing: OrderRow, requestHash: string): PlaceOrderResult {
  if (existing.request_hash !== requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', undefined, {
      details: { orderId: existing.id },
    });
  }
  return { order: toOrder(existing), replayed: true };
}

/** Why the decrement took no seats: unknown event, or not enough seats left. */
function noSeats(eventId: string, quantity: number, available: number | undefined): AppError {
  if (available === undefined) return new AppError('NOT_FOUND', `There is no event "${eventId}".`);
  return new AppError(
    'SOLD_OUT',
    available === 0
      ? 'This event is sold out.'
      : `Only ${available} seat(s) left; you asked for ${quantity}.`,
    { details: { available } },
  );
}

/** No row at all means no seats were taken: sold out, or no such event. */
type PlaceRow = OrderRow & { outcome: 'placed' | 'existing' };

/**
 * The whole order in one statement, so one round trip: look up the key; take the seats only
 * if the key is new and enough are left (`available >= qty` is re-checked on the locked row,
 * so no check-then-act race); insert the order from the row the decrement returned. Without a
 * decrement there is no insert, so a sold-out or unknown event writes nothing. The insert has
 * no ON CONFLICT on purpose: a same-key request that raced past the lookup fails on the unique
 * index, and as the statement is atomic its decrement is undone with it.
 */
const PLACE_ORDER_SQL = `
WITH existing AS (
  SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = $2::text
), taken AS (
  UPDATE events SET available = available - $5::int
  WHERE id = $4::text AND available >= $5::int AND NOT EXISTS (SELECT 1 FROM existing)
  RETURNING id
), inserted AS (
  INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, email, served_by)
  SELECT $1::uuid, $2::text, $3::text, taken.id, $5::int, $6::text, $7::text FROM taken
  RETURNING ${ORDER_COLUMNS}
)
SELECT 'placed' AS outcome, inserted.* FROM inserted
UNION ALL
SELECT 'existing', existing.* FROM existing`;

const KEY_CONSTRAINT = 'orders_idempotency_key_unique';

function isKeyConflict(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === KEY_CONSTRAINT;
}

/** The order that won the key, as a replay or a 422; undefined when there is none. */
async function replayWinner(
  pool: Pool,
  key: string,
  requestHash: string,
): Promise<PlaceOrderResult | undefined> {
  const winner = await findByKey(pool, key);
  return winner ? replay(winner, requestHash) : undefined;
}

/**
 * Places an order exactly once per Idempotency-Key, in one atomic statement (see
 * PLACE_ORDER_SQL). Two requests racing with the same key meet at the unique index: the
 * loser's statement fails whole, seats included, and it answers with the winner's order.
 */
export async function placeOrder(
  pool: Pool,
  input: { key: string; request: OrderRequest; servedBy: string },
): Promise<PlaceOrderResult> {
  const { key, request, servedBy } = input;
  const requestHash = hashOrderRequest(request);
  let rows: PlaceRow[];
  try {
    ({ rows } = await pool.query<PlaceRow>(PLACE_ORDER_SQL, [
      randomUUID(),
      key,
      requestHash,
      request.eventId,
      request.quantity,
      request.email ?? null,
      servedBy,
    ]));
  } catch (error) {
    if (!isKeyConflict(error)) throw error;
    const winner = await replayWinner(pool, key, requestHash);
    if (!winner) throw new Error(`order for key ${key} vanished after a unique conflict`);
    return winner;
  }
  const row = rows[0];
  if (row?.outcome === 'placed') return { order: toOrder(row), replayed: false };
  if (row?.outcome === 'existing') return replay(row, requestHash);
  // A same-key request may have taken the last seats while we waited for the row lock.
  const winner = await replayWinner(pool, key, requestHash);
  if (winner) return winner;
  throw noSeats(request.eventId, request.quantity, await seatsLeft(pool, request.eventId));
}

/**
 * Seats left now. The statement's own `available` is from its snapshot, taken before it waited
 * for the row lock, so after losing a race it can still show the seats the winner just took.
 */
async function seatsLeft(pool: Pool, eventId: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ available: number }>(
    'SELECT available FROM events WHERE id = $1',
    [eventId],
  );
  return rows[0]?.available;
}

export async function getOrder(pool: Pool, id: string): Promise<Order> {
  const { rows } = await pool.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', `There is no order "${id}".`);
  return toOrder(row);
}

export async function getOrderByKey(pool: Pool, key: string): Promise<Order> {
  const row = await findByKey(pool, key);
  if (!row) throw new AppError('NOT_FOUND', 'There is no order for this Idempotency-Key.');
  return toOrder(row);
}
