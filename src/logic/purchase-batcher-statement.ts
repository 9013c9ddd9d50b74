import type pg from 'pg';
import type { OutcomeRow } from './order-rows.ts';

/** One purchase of a batch, as the statement takes it. */
export interface BatchItem {
  orderId: string;
  key: string;
  requestHash: string;
  quantity: number;
  email: string | null;
  servedBy: string;
}

/** Per purchase: its outcome as recorded now, or `known` when its key had one already. */
export type BatchRow = { known: true } | ({ known: false } & OutcomeRow);

/**
 * Many purchases of one event in one statement, so one transaction and one commit. `event`
 * locks the event row (as the single purchase does, so batches and single purchases of one
 * event take turns); `turn` walks the purchases in arrival order, each taking its seats if
 * enough are left after those before it — first fit, so a buyer of 4 with 2 left is refused
 * and a later buyer of 2 still gets them, exactly as one-by-one in that order would; `known`
 * keys (an outcome recorded before this statement's snapshot) take nothing and are answered
 * from their record by the caller. The key claims have no ON CONFLICT, as in the single
 * purchase: a key recorded by a racing transaction fails the whole statement on the key's
 * unique index, nothing of it stays, and the caller tries the purchases one by one.
 */
const PLACE_ORDERS_SQL = `
WITH RECURSIVE req AS (
  SELECT r.*, EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.key = r.key) AS known
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
         WITH ORDINALITY AS r(order_id, key, request_hash, quantity, email, served_by, n)
), event AS (
  SELECT id, available FROM events
   WHERE id = $7::text AND archived_at IS NULL
   FOR UPDATE
), turn (n, seen, took, left_after) AS (
  SELECT 0::bigint, NULL::int, false, (SELECT available FROM event)
  UNION ALL
  SELECT req.n, turn.left_after,
         coalesce(NOT req.known AND req.quantity <= turn.left_after, false),
         CASE WHEN NOT req.known AND req.quantity <= turn.left_after
              THEN turn.left_after - req.quantity ELSE turn.left_after END
    FROM turn JOIN req ON req.n = turn.n + 1
), decided AS (
  SELECT req.*, turn.took, turn.seen FROM req JOIN turn ON turn.n = req.n
), taken AS (
  UPDATE events SET available = event.available - (SELECT sum(quantity) FROM decided WHERE took)
    FROM event
   WHERE events.id = event.id AND EXISTS (SELECT 1 FROM decided WHERE took)
  RETURNING events.id
), inserted AS (
  INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, email, served_by)
  SELECT order_id, key, request_hash, $7::text, quantity, email, served_by
    FROM decided WHERE took
  RETURNING id, idempotency_key, event_id, quantity, email, served_by, created_at
), recorded AS (
  INSERT INTO idempotency_keys (key, request_hash, status, order_id, seats_left)
  SELECT key, request_hash,
         CASE WHEN took THEN 201 WHEN EXISTS (SELECT 1 FROM event) THEN 409 ELSE 404 END,
         CASE WHEN took THEN order_id END,
         CASE WHEN NOT took AND EXISTS (SELECT 1 FROM event) THEN seen END
    FROM decided WHERE NOT known
  RETURNING key, status, seats_left
)
SELECT decided.n, decided.known, recorded.status, recorded.seats_left, inserted.*
  FROM decided
  LEFT JOIN recorded ON recorded.key = decided.key
  LEFT JOIN inserted ON inserted.idempotency_key = decided.key
 ORDER BY decided.n`;

/**
 * Places a batch of purchases of one event (their keys all different) in one statement and
 * returns one row per purchase, in the order given. Throws when the statement fails as a whole.
 */
export async function placeOrdersTogether(
  db: Pick<pg.Pool, 'query'>,
  eventId: string,
  items: readonly BatchItem[],
): Promise<BatchRow[]> {
  const { rows } = await db.query<{ n: string; known: boolean } & OutcomeRow>(PLACE_ORDERS_SQL, [
    items.map((item) => item.orderId),
    items.map((item) => item.key),
    items.map((item) => item.requestHash),
    items.map((item) => item.quantity),
    items.map((item) => item.email),
    items.map((item) => item.servedBy),
    eventId,
  ]);
  if (rows.length !== items.length) {
    throw new Error(`a batch of ${items.length} purchases answered ${rows.length} rows`);
  }
  return rows.map((row) => {
    if (row.known) return { known: true };
    const { n: _n, known: _known, ...outcome } = row;
    return { known: false, ...(outcome as OutcomeRow) };
  });
}
