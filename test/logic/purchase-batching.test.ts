import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPool, type Pool } from '../../src/logic/database.ts';
import { migrate } from '../../src/logic/migrations.ts';
import { hashOrderRequest, type OrderOutcome, placeOrder } from '../../src/logic/orders.ts';
import { type BatchItem, placeOrdersTogether } from '../../src/logic/purchase-batcher-statement.ts';
import type { AppError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { OrderRequest } from '../../src/shared/order-request.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
import { newKey } from '../support/http.ts';

const db = await createTestDatabase();
after(() => db.drop());

/**
 * Purchases are handed to placeOrder in one tick, as a crowd of requests would reach it, so
 * they are all waiting before the first batch ends. What happened is read from the database:
 * rows written by one transaction share its id (xmin), whatever the batcher thinks it did.
 */
describe(`purchases of one event placed together on the ${db.engine} database`, () => {
  let pool: Pool;

  before(async () => {
    const logger = createLogger({ service: 'logic', replica: 'batch-test', level: 'silent' });
    pool = createPool({ connectionString: db.url, max: 10, logger });
    await migrate(pool);
  });
  after(() => pool.end());

  const buy = (key: string, request: OrderRequest) =>
    placeOrder(pool, { key, request, servedBy: 'batch-test' });

  /** Orders of the event per writing transaction, largest first. */
  async function ordersPerTransaction(eventId: string): Promise<number[]> {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE event_id = $1 GROUP BY xmin::text ORDER BY n DESC`,
      [eventId],
    );
    return rows.map((row) => row.n);
  }

  it('places many concurrent purchases in one transaction, each key recorded in it', async () => {
    const eventId = await createTestEvent(pool, { capacity: 100, prefix: 'batch' });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => buy(newKey(), { eventId, quantity: 1 })),
    );
    assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set([201]));
    const perTransaction = await ordersPerTransaction(eventId);
    assert.equal(
      perTransaction.reduce((sum, n) => sum + n, 0),
      12,
    );
    assert.ok((perTransaction[0] ?? 0) > 1, `one order per transaction: ${perTransaction}`);
    const { rows } = await pool.query<{ apart: number }>(
      `SELECT count(*)::int AS apart FROM orders o JOIN idempotency_keys k
           ON k.key = o.idempotency_key
        WHERE o.event_id = $1 AND o.xmin::text <> k.xmin::text`,
      [eventId],
    );
    assert.equal(rows[0]?.apart, 0, 'every key is recorded in its order’s transaction');
  });

  it('serves the rest of a batch when the database refuses one purchase in it', async () => {
    const eventId = await createTestEvent(pool, { capacity: 100, prefix: 'batch' });
    // A NUL byte is valid JavaScript but no PostgreSQL text: it fails any statement it is in.
    // The HTTP route's validation never lets it through; here it stands for any such request.
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        buy(newKey(), {
          eventId,
          quantity: 1,
          email: i === 5 ? 'nul\u0000@example.com' : undefined,
        }),
      ),
    );
    const refused = settled.filter((s) => s.status === 'rejected');
    const served = settled.filter(
      (s): s is PromiseFulfilledResult<OrderOutcome> => s.status === 'fulfilled',
    );
    assert.equal(refused.length, 1, 'only the bad purchase fails');
    assert.equal(settled[5]?.status, 'rejected');
    assert.deepEqual(new Set(served.map((s) => s.value.status)), new Set([201]));
    const { rows } = await pool.query<{ orders: number; available: number }>(
      `SELECT (SELECT count(*)::int FROM orders WHERE event_id = $1) AS orders,
              (SELECT available FROM events WHERE id = $1) AS available`,
      [eventId],
    );
    assert.deepEqual(rows[0], { orders: 9, available: 91 });
  });

  it('answers a key sent twice in one batch from its one outcome: replayed, or 422', async () => {
    const eventId = await createTestEvent(pool, { capacity: 10, prefix: 'batch' });
    const key = newKey();
    const fillers = [newKey(), newKey()].map((k) => buy(k, { eventId, quantity: 1 }));
    const same = Promise.allSettled([
      buy(key, { eventId, quantity: 2 }),
      buy(key, { eventId, quantity: 2 }),
      buy(key, { eventId, quantity: 3 }),
    ]);
    await Promise.all(fillers);
    const [first, again, other] = await same;
    assert.equal(first?.status, 'fulfilled');
    assert.equal(again?.status, 'fulfilled');
    if (first?.status !== 'fulfilled' || again?.status !== 'fulfilled') return;
    assert.equal(first.value.status, 201);
    assert.equal(first.value.replayed, false);
    assert.deepEqual(again.value, { ...first.value, replayed: true });
    assert.equal(other?.status, 'rejected');
    assert.equal(
      other?.status === 'rejected' && (other.reason as AppError).code,
      'IDEMPOTENCY_KEY_REUSED',
    );
    const { rows } = await pool.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [key]);
    assert.equal(rows.length, 1);
  });
});

describe(`the batch statement on the ${db.engine} database`, () => {
  let pool: Pool;

  before(async () => {
    const logger = createLogger({ service: 'logic', replica: 'batch-sql', level: 'silent' });
    pool = createPool({ connectionString: db.url, max: 2, logger });
    await migrate(pool);
  });
  after(() => pool.end());

  const item = (eventId: string, quantity: number, key = newKey()): BatchItem => ({
    orderId: randomUUID(),
    key,
    requestHash: hashOrderRequest({ eventId, quantity }),
    quantity,
    email: null,
    servedBy: 'batch-sql',
  });

  it('gives seats first fit in arrival order: 4 asked with 2 left is refused, a later 2 served', async () => {
    const eventId = await createTestEvent(pool, { capacity: 5, prefix: 'fit' });
    const rows = await placeOrdersTogether(pool, eventId, [
      item(eventId, 3),
      item(eventId, 4),
      item(eventId, 2),
      item(eventId, 1),
    ]);
    assert.deepEqual(
      rows.map((row) => (row.known ? 'known' : [row.status, row.seats_left, row.quantity])),
      [
        [201, null, 3],
        [409, 2, null],
        [201, null, 2],
        [409, 0, null],
      ],
    );
    const { rows: left } = await pool.query('SELECT available FROM events WHERE id = $1', [
      eventId,
    ]);
    assert.equal(left[0].available, 0);
  });

  it('takes nothing for a key already recorded, and answers 404 for no event on sale', async () => {
    const eventId = await createTestEvent(pool, { capacity: 5, prefix: 'fit' });
    const recorded = item(eventId, 1);
    await placeOrdersTogether(pool, eventId, [recorded]);
    const rows = await placeOrdersTogether(pool, eventId, [
      item(eventId, 1, recorded.key),
      item(eventId, 1),
    ]);
    assert.deepEqual(
      rows.map((row) => (row.known ? 'known' : row.status)),
      ['known', 201],
    );
    const missing = await placeOrdersTogether(pool, 'no-such-event', [item('x', 1), item('x', 2)]);
    assert.deepEqual(
      missing.map((row) => (row.known ? 'known' : row.status)),
      [404, 404],
    );
  });
});
