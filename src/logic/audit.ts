import { inTransaction, type Pool } from './database.ts';

export interface EventLedger {
  id: string;
  capacity: number;
  available: number;
  /** Sum of order quantities; must equal capacity - available. */
  orderedQuantity: number;
  orderCount: number;
}

export interface OrderSummary {
  id: string;
  idempotencyKey: string;
  eventId: string;
  quantity: number;
}

export interface Audit {
  events: EventLedger[];
  /** Every order, so a checker can match them against what clients saw. */
  orders: OrderSummary[];
}

/**
 * Reads the raw state the chaos invariants are checked against. It trusts nothing the schema
 * promises (the unique key, the CHECK), so a checker can prove those promises held.
 */
export async function readAudit(pool: Pool): Promise<Audit> {
  // One snapshot for both reads: an order committed between them would look like a mismatch.
  return inTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const events = await client.query<EventLedger>(
      `SELECT e.id, e.capacity, e.available,
              coalesce(sum(o.quantity), 0)::int AS "orderedQuantity",
              count(o.id)::int AS "orderCount"
         FROM events e LEFT JOIN orders o ON o.event_id = e.id
        GROUP BY e.id ORDER BY e.id`,
    );
    const orders = await client.query<OrderSummary>(
      `SELECT id, idempotency_key AS "idempotencyKey", event_id AS "eventId", quantity
         FROM orders ORDER BY created_at, id`,
    );
    return { events: events.rows, orders: orders.rows };
  });
}
