import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, type ErrorBody } from '../shared/errors.ts';
import type { OrderRequest } from '../shared/order-request.ts';
import { isDatabaseUnavailable, type Pool } from './database.ts';
import type { OrderRow, OutcomeRow } from './order-rows.ts';
import { PurchaseBatcher } from './purchase-batcher.ts';
import { type BatchItem, placeOrdersTogether } from './purchase-batcher-statement.ts';

export interface Order {
  id: string;
  eventId: string;
  quantity: number;
  email: string | null;
  idempotencyKey: string;
  servedBy: string;
  createdAt: string;
}

/**
 * The answer to an order request. A key's first definite answer is recorded, and every later
 * request with the same key and body gets it again — status and body, errors included.
 */
export interface OrderOutcome {
  status: 201 | 404 | 409;
  body: { order: Order } | ErrorBody;
  /** True when the key's recorded answer was given again instead of doing the work. */
  replayed: boolean;
}

type Queryable = Pick<pg.Pool, 'query'>;

const ORDER_COLUMNS = 'id, idempotency_key, event_id, quantity, email, served_by, created_at';

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

/** The body of a recorded outcome: built from what was recorded, so a replay is the same. */
function outcomeOf(row: OutcomeRow, request: OrderRequest, replayed: boolean): OrderOutcome {
  if (row.status === 201 && row.id !== null) {
    return { status: 201, body: { order: toOrder(row) }, replayed };
  }
  if (row.status === 409) {
    const left = row.seats_left ?? 0;
    const message =
      left === 0
        ? 'This event is sold out.'
        : `Only ${left} seat(s) left; you asked for ${request.quantity}.`;
    const error = new AppError('SOLD_OUT', message, { details: { available: left } });
    return { status: 409, body: error.toBody(), replayed };
  }
  const error = new AppError('NOT_FOUND', `There is no event "${request.eventId}" on sale.`);
  return { status: 404, body: error.toBody(), replayed };
}

/**
 * The whole order in one statement, so one round trip, and atomic. `event` locks the event row
 * and reads its seats as they are after any purchase we waited for; `taken` takes the seats
 * only if enough are left and the key is new to our snapshot; `inserted` writes the order from
 * the row the decrement returned; `recorded` claims the key with the definite outcome — 201
 * with the order, 409 with the seats left, 404 for no event on sale. The claim has no
 * ON CONFLICT on purpose: a key that already has an outcome (recorded earlier, or by a request
 * racing with this one) fails the statement on the key's unique index, the seats and the order
 * are undone with it, and the caller answers from the recorded outcome instead.
 */
export const PLACE_ORDER_SQL = `
WITH event AS (
  SELECT id, available FROM events
   WHERE id = $4::text AND archived_at IS NULL
   FOR UPDATE
), taken AS (
  UPDATE events SET available = events.available - $5::int
    FROM event
   WHERE events.id = event.id AND event.available >= $5::int
     AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = $2::text)
  RETURNING events.id, events.available
), inserted AS (
  INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, email, served_by)
  SELECT $1::uuid, $2::text, $3::text, taken.id, $5::int, $6::text, $7::text FROM taken
  RETURNING ${ORDER_COLUMNS}
), recorded AS (
  INSERT INTO idempotency_keys (key, request_hash, status, order_id, seats_left)
  SELECT $2::text, $3::text,
         CASE WHEN EXISTS (SELECT 1 FROM inserted) THEN 201
              WHEN EXISTS (SELECT 1 FROM event) THEN 409
              ELSE 404 END,
         (SELECT id FROM inserted),
         (SELECT available FROM event WHERE NOT EXISTS (SELECT 1 FROM inserted))
  RETURNING status, seats_left
)
SELECT recorded.status, recorded.seats_left, inserted.*
  FROM recorded LEFT JOIN inserted ON true`;

const RECORDED_OUTCOME_SQL = `
SELECT k.request_hash, k.status, k.seats_left,
       o.id, o.idempotency_key, o.event_id, o.quantity, o.email, o.served_by, o.created_at
  FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
 WHERE k.key = $1`;

/** Both unique indexes on the key: the outcome's, and the order's (a backstop). */
const KEY_CONSTRAINTS = new Set(['idempotency_keys_pkey', 'orders_idempotency_key_unique']);

function isKeyConflict(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' && KEY_CONSTRAINTS.has(constraint);
}

/**
 * The key already has an outcome: the same request gets it again; a different request gets a
 * 422 that reveals nothing of the first one. A unique violation means the other transaction
 * committed, so its outcome is there to read.
 */
async function answerFromRecord(
  db: Queryable,
  key: string,
  request: OrderRequest,
): Promise<OrderOutcome> {
  const { rows } = await db.query<OutcomeRow & { request_hash: string }>(RECORDED_OUTCOME_SQL, [
    key,
  ]);
  const recorded = rows[0];
  if (!recorded) throw new Error(`the outcome of key ${key} vanished after a unique conflict`);
  if (recorded.request_hash !== hashOrderRequest(request)) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED');
  }
  return outcomeOf(recorded, request, true);
}

export interface OrderInput {
  key: string;
  request: OrderRequest;
  servedBy: string;
}

/** The parameters of PLACE_ORDER_SQL for one purchase, in order. */
export function placeOrderParams({ key, request, servedBy }: OrderInput): unknown[] {
  const { eventId, quantity, email } = request;
  const hash = hashOrderRequest(request);
  return [randomUUID(), key, hash, eventId, quantity, email ?? null, servedBy];
}

/** One purchase in its own statement (see PLACE_ORDER_SQL). */
async function placeOneOrder(pool: Pool, input: OrderInput): Promise<OrderOutcome> {
  let row: OutcomeRow | undefined;
  try {
    const { rows } = await pool.query<OutcomeRow>(PLACE_ORDER_SQL, placeOrderParams(input));
    row = rows[0];
  } catch (error) {
    if (!isKeyConflict(error)) throw error;
    return answerFromRecord(pool, input.key, input.request);
  }
  if (!row) throw new Error(`placing the order for key ${input.key} recorded no outcome`);
  return outcomeOf(row, input.request, false);
}

/**
 * Purchases of one event in one statement. A key twice in the batch (a retry that caught up
 * with its first attempt) goes in once; its other requests are answered from what that one
 * recorded, as a racer would be — the same outcome replayed, or a 422 for another body.
 */
async function placeOrdersOfEvent(
  pool: Pool,
  eventId: string,
  inputs: readonly OrderInput[],
): Promise<PromiseSettledResult<OrderOutcome>[]> {
  const firsts = new Map<string, OrderInput>();
  for (const input of inputs) if (!firsts.has(input.key)) firsts.set(input.key, input);
  const items: BatchItem[] = [...firsts.values()].map((input) => ({
    orderId: randomUUID(),
    key: input.key,
    requestHash: hashOrderRequest(input.request),
    quantity: input.request.quantity,
    email: input.request.email ?? null,
    servedBy: input.servedBy,
  }));
  const rows = await placeOrdersTogether(pool, eventId, items);
  const placed = new Map([...firsts.values()].map((input, i) => [input, rows[i]]));
  return Promise.allSettled(
    inputs.map(async (input) => {
      const row = placed.get(input);
      if (!row || row.known) return answerFromRecord(pool, input.key, input.request);
      return outcomeOf(row, input.request, false);
    }),
  );
}

/** One batcher per pool: the purchases a replica gathers are those sharing its connections. */
const batchers = new WeakMap<Pool, PurchaseBatcher<OrderInput, OrderOutcome>>();

function batcherFor(pool: Pool): PurchaseBatcher<OrderInput, OrderOutcome> {
  let batcher = batchers.get(pool);
  if (!batcher) {
    batcher = new PurchaseBatcher({
      together: (eventId, inputs) => placeOrdersOfEvent(pool, eventId, inputs),
      alone: (input) => placeOneOrder(pool, input),
      // A database that is down serves no one one by one either: each buyer gets its 503.
      retryAlone: (error) => !isDatabaseUnavailable(error),
    });
    batchers.set(pool, batcher);
  }
  return batcher;
}

/**
 * Places an order exactly once per Idempotency-Key and records its definite outcome.
 * Concurrent purchases of one event are placed together (purchase-batcher.ts), each with its
 * own outcome. Every later request with the key — a retry, or one that raced with the first —
 * meets the key's unique index or its record and is answered from the recorded outcome: this
 * is the only way to a replay or a 422.
 */
export function placeOrder(pool: Pool, input: OrderInput): Promise<OrderOutcome> {
  return batcherFor(pool).submit(input.request.eventId, input);
}

async function findByKey(db: Queryable, key: string): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = $1`,
    [key],
  );
  return rows[0];
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
