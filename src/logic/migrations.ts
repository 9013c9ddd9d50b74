import { inTransaction, type Pool } from './database.ts';
import type { NewEvent } from './events.ts';
import seedEvents from './seed-events.json' with { type: 'json' };

/** Arbitrary constant shared by all replicas: "FLAME" in ASCII. */
const MIGRATION_LOCK_ID = 0x464c414d45;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  venue       text NOT NULL,
  starts_at   timestamptz NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  capacity    integer NOT NULL CHECK (capacity > 0),
  available   integer NOT NULL,
  CONSTRAINT available_within_capacity CHECK (available >= 0 AND available <= capacity)
);
CREATE TABLE IF NOT EXISTS orders (
  id              uuid PRIMARY KEY,
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  event_id        text NOT NULL REFERENCES events (id),
  quantity        integer NOT NULL CHECK (quantity > 0),
  email           text,
  served_by       text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_idempotency_key_unique UNIQUE (idempotency_key)
);
CREATE INDEX IF NOT EXISTS orders_event_id ON orders (event_id);
-- Archived events (a chaos run's stock, when its scenario ends) leave the catalog; their
-- orders stay for the audit. ADD COLUMN IF NOT EXISTS migrates databases made before it.
ALTER TABLE events ADD COLUMN IF NOT EXISTS archived_at timestamptz;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key          text PRIMARY KEY,
  request_hash text NOT NULL,
  status       integer NOT NULL CHECK (status IN (201, 404, 409)),
  order_id     uuid REFERENCES orders (id),
  seats_left   integer,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT outcome_matches_status CHECK ((status = 201) = (order_id IS NOT NULL))
);
-- Fault settings reach every replica through here: '*' for all, or one replica's name.
CREATE SEQUENCE IF NOT EXISTS fault_settings_version;
CREATE TABLE IF NOT EXISTS fault_settings (
  target     text PRIMARY KEY,
  rate       double precision NOT NULL CHECK (rate >= 0 AND rate <= 1),
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  mode       text NOT NULL CHECK (mode IN ('before', 'after-commit', 'delay')),
  seed       bigint,
  version    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * Orders placed before keys had a table of their own keep answering their retries. Run once,
 * when the key table is made: every later order records its key itself.
 */
const BACKFILL_KEYS = `
INSERT INTO idempotency_keys (key, request_hash, status, order_id, created_at)
SELECT idempotency_key, request_hash, 201, id, created_at FROM orders
ON CONFLICT (key) DO NOTHING`;

export const SEED_EVENTS: readonly NewEvent[] = seedEvents;

/**
 * Creates the schema and seeds the catalog when it is empty. Replicas start together, so the
 * whole migration runs in one transaction under a transaction-scoped advisory lock: a
 * session-level lock would not exclude anything on the embedded engine, where every client
 * shares one Postgres session.
 */
export async function migrate(
  pool: Pool,
  events: readonly NewEvent[] = SEED_EVENTS,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    const { rows: before } = await client.query<{ keys: string | null }>(
      "SELECT to_regclass('idempotency_keys')::text AS keys",
    );
    await client.query(SCHEMA);
    if (before[0]?.keys === null) await client.query(BACKFILL_KEYS);
    const { rows } = await client.query<{ count: string }>('SELECT count(*) AS count FROM events');
    if (rows[0]?.count !== '0') return;
    for (const event of events) {
      await client.query(
        `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
         VALUES ($1, $2, $3, $4, $5, $6, $6)`,
        [event.id, event.name, event.venue, event.startsAt, event.priceCents, event.capacity],
      );
    }
  });
}
