import type { NewEvent } from '../shared/admin-api.ts';
import { AppError } from '../shared/errors.ts';
import { inTransaction, type Pool } from './database.ts';

/** An event as it is created (seed file, POST /admin/events): every seat available. */

export interface Event extends NewEvent {
  available: number;
}

interface EventRow {
  id: string;
  name: string;
  venue: string;
  starts_at: Date;
  price_cents: number;
  capacity: number;
  available: number;
}

const EVENT_COLUMNS = 'id, name, venue, starts_at, price_cents, capacity, available';

function toEvent(row: EventRow): Event {
  return {
    id: row.id,
    name: row.name,
    venue: row.venue,
    startsAt: row.starts_at.toISOString(),
    priceCents: row.price_cents,
    capacity: row.capacity,
    available: row.available,
  };
}

export async function listEvents(pool: Pool): Promise<Event[]> {
  const { rows } = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE archived_at IS NULL ORDER BY starts_at, id`,
  );
  return rows.map(toEvent);
}

export async function getEvent(pool: Pool, id: string): Promise<Event> {
  const { rows } = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1 AND archived_at IS NULL`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', `There is no event "${id}".`);
  return toEvent(row);
}

export type { NewEvent };

/**
 * Adds events with every seat available (the admin route behind a chaos run's stock). All or
 * none: one id that is already taken, archived or not, rejects the whole list.
 */
export async function createEvents(pool: Pool, events: readonly NewEvent[]): Promise<Event[]> {
  try {
    return await insertEvents(pool, events);
  } catch (error) {
    // Two lists racing for one id: the loser gets the same answer as a taken id.
    if ((error as { code?: string }).code !== '23505') throw error;
    throw new AppError('INVALID_REQUEST', 'These event ids are already taken.');
  }
}

function insertEvents(pool: Pool, events: readonly NewEvent[]): Promise<Event[]> {
  return inTransaction(pool, async (client) => {
    const ids = events.map((e) => e.id);
    const taken = await client.query<{ id: string }>(
      'SELECT id FROM events WHERE id = ANY($1::text[])',
      [ids],
    );
    if (taken.rows.length > 0) {
      throw new AppError('INVALID_REQUEST', 'These event ids are already taken.', {
        details: taken.rows.map((r) => ({ field: 'id', problem: `"${r.id}" exists` })),
      });
    }
    const created: Event[] = [];
    for (const e of events) {
      const { rows } = await client.query<EventRow>(
        `INSERT INTO events (id, name, venue, starts_at, price_cents, capacity, available)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${EVENT_COLUMNS}`,
        [e.id, e.name, e.venue, e.startsAt, e.priceCents, e.capacity],
      );
      if (rows[0]) created.push(toEvent(rows[0]));
    }
    return created;
  });
}

/**
 * Takes events out of the catalog for good; their orders stay, so the audit still covers
 * them. Returns the ids archived now (an id already archived or unknown is not among them).
 */
export async function archiveEvents(pool: Pool, ids: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE events SET archived_at = now()
      WHERE id = ANY($1::text[]) AND archived_at IS NULL RETURNING id`,
    [ids],
  );
  return rows.map((r) => r.id).sort();
}
