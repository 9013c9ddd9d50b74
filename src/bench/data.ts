import pg from 'pg';

/** Events every purchase run buys from: big enough never to sell out during a benchmark. */
export const HOT_EVENT_COUNT = 10;
const HOT_CAPACITY = 2_000_000_000;
export const hotEventIds = Array.from({ length: HOT_EVENT_COUNT }, (_, i) => `bench-hot-${i}`);

/**
 * Puts the tables in a known state: exactly `events` events (the hot ones first) and `orders`
 * orders spread over them, with `available` matching the orders and every order's key recorded. Set-based SQL, one statement
 * per step, so 100,000 orders take a second, not minutes.
 */
export async function shapeData(
  databaseUrl: string,
  size: { events: number; orders: number },
): Promise<void> {
  if (size.events < HOT_EVENT_COUNT) throw new Error(`at least ${HOT_EVENT_COUNT} events`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('TRUNCATE idempotency_keys, orders');
    await client.query('DELETE FROM events');
    await client.query(
      `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
       SELECT 'bench-hot-' || g, 'Benchmark headliner ' || g, 'Loopback Arena',
              now() + interval '30 days', 5000, $1, $1
       FROM generate_series(0, $2 - 1) AS g`,
      [HOT_CAPACITY, HOT_EVENT_COUNT],
    );
    await client.query(
      `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
       SELECT 'bench-grow-' || g, 'Benchmark event ' || g, 'Venue ' || (g % 97),
              now() + (g || ' hours')::interval, 1000 + g % 9000, 1000000, 1000000
       FROM generate_series(1, $1) AS g`,
      [size.events - HOT_EVENT_COUNT],
    );
    await client.query(
      `WITH numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM events)
       INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, email, served_by)
       SELECT gen_random_uuid(), 'bench-seed-' || g, 'seed', numbered.id, 1, NULL, 'bench-seed'
       FROM generate_series(0, $1 - 1) AS g
       JOIN numbered ON numbered.n = g % $2`,
      [size.orders, size.events],
    );
    // Every order has its key's recorded outcome, as a placed order would.
    await client.query(
      `INSERT INTO idempotency_keys (key, request_hash, status, order_id)
       SELECT idempotency_key, request_hash, 201, id FROM orders`,
    );
    await client.query(
      `UPDATE events SET available = capacity - sold.quantity
       FROM (SELECT event_id, sum(quantity)::int AS quantity FROM orders GROUP BY event_id) AS sold
       WHERE events.id = sold.event_id`,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE events');
    await client.query('ANALYZE orders');
    await client.query('ANALYZE idempotency_keys');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
