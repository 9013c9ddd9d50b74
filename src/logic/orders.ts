import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../shared/errors.ts';
import type { OrderRequest } from '../shared/order-request.ts';
import { inTransaction, type Pool } from './database.ts';

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

type Queryable = Pick<pg.PoolClient, 'query'>;

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

/** Why a conditional decrement matched no row: unknown event, or not enough seats. */
async function explainNoSeats(db: Queryable, eventId: string, quantity: number): Promise<AppError> {
  const { rows } = await db.query<{ available: number }>(
    'SELECT available FROM events WHERE id = $1',
    [eventId],
  );
  const event = rows[0];
  if (!event) return new AppError('NOT_FOUND', `There is no event "${eventId}".`);
  return new AppError(
    'SOLD_OUT',
    event.available === 0
      ? 'This event is sold out.'
      : `Only ${event.available} seat(s) left; you asked for ${quantity}.`,
    { details: { available: event.available } },
  );
}

class KeyTakenConcurrently extends Error {}

/**
 * Places an order exactly once per Idempotency-Key. One transaction: look up the key, decrement
 * `available` only if enough seats are left (no check-then-act race), insert the order. Two
 * requests racing with the same key meet at the unique index: the loser rolls back its
 * decrement and answers with the winner's order.
 */
export async function placeOrder(
  pool: Pool,
  input: { key: string; request: OrderRequest; servedBy: string },
): Promise<PlaceOrderResult> {
  const { key, request, servedBy } = input;
  const requestHash = hashOrderRequest(request);
  try {
    return await inTransaction(pool, async (client) => {
      const existing = await findByKey(client, key);
      if (existing) return replay(existing, requestHash);

      const decremented = await client.query(
        'UPDATE events SET available = available - $2 WHERE id = $1 AND available >= $2',
        [request.eventId, request.quantity],
      );
      if (decremented.rowCount !== 1) {
        // A same-key request may have taken the last seats while we waited for the row lock.
        const winner = await findByKey(client, key);
        if (winner) return replay(winner, requestHash);
        throw await explainNoSeats(client, request.eventId, request.quantity);
      }

      const inserted = await client.query<OrderRow>(
        `INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, email, served_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING ${ORDER_COLUMNS}`,
        [
          randomUUID(),
          key,
          requestHash,
          request.eventId,
          request.quantity,
          request.email ?? null,
          servedBy,
        ],
      );
      const row = inserted.rows[0];
      if (!row) throw new KeyTakenConcurrently();
      return { order: toOrder(row), replayed: false };
    });
  } catch (error) {
    if (!(error instanceof KeyTakenConcurrently)) throw error;
    const winner = await findByKey(pool, key);
    if (!winner) throw new Error(`order for key ${key} vanished after a unique conflict`);
    return replay(winner, requestHash);
  }
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
