import { inTransaction, type Pool } from './database.ts';

export interface EventLedger {
  id: string;
  capacity: number;
  available: number;
  /** Sum of order quantities; must equal capacity - available. */
  orderedQuantity: number;
  orderCount: number;
  /** Taken out of the catalog (a finished chaos scenario's stock); still audited. */
  archived: boolean;
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
 * promises (the unique key, the CHECK), so a checker can prove those promises held. With
 * `eventIds`, only those events and their orders: a chaos scenario is judged on its own stock.
 */
export async function readAudit(pool: Pool, eventIds?: readonly string[]): Promise<Audit> {
  const filter = eventIds === undefined ? '' : 'WHERE e.id = ANY($1::text[])';
  const params = eventIds === undefined ? [] : [eventIds];
  // One snapshot for both reads: an order committed between them would look like a mismatch.
  return inTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const events = await client.query<EventLedger>(
      `SELECT e.id, e.capacity, e.available,
              coalesce(sum(o.quantity), 0)::int AS "orderedQuantity",
              count(o.id)::int AS "orderCount",
              e.archived_at IS NOT NULL AS archived
         FROM events e LEFT JOIN orders o ON o.event_id = e.id
        ${filter}
        GROUP BY e.id ORDER BY e.id`,
      params,
    );
    const orders = await client.query<OrderSummary>(
      `SELECT id, idempotency_key AS "idempotencyKey", event_id AS "eventId", quantity
         FROM orders ${eventIds === undefined ? '' : 'WHERE event_id = ANY($1::text[])'}
        ORDER BY created_at, id`,
      params,
    );
    return { events: events.rows, orders: orders.rows };
  });
}
