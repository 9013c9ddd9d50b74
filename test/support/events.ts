import type pg from 'pg';

/**
 * An event of the test's own, straight into the table, so no test shares seats with another or
 * depends on the seed catalog. Returns its id (`prefix-` and a random part).
 */
export async function createTestEvent(
  db: Pick<pg.Pool, 'query'>,
  {
    capacity,
    prefix = 'ev',
    name = 'Test event',
  }: { capacity: number; prefix?: string; name?: string },
): Promise<string> {
  const id = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  await db.query(
    `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
     VALUES ($1, $2, 'Test venue', now(), 1000, $3, $3)`,
    [id, name, capacity],
  );
  return id;
}
