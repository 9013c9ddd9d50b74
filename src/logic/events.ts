import { AppError } from '../shared/errors.ts';
import type { Pool } from './database.ts';

export interface Event {
  id: string;
  name: string;
  venue: string;
  startsAt: string;
  priceCents: number;
  capacity: number;
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
    `SELECT ${EVENT_COLUMNS} FROM events ORDER BY starts_at, id`,
  );
  return rows.map(toEvent);
}

export async function getEvent(pool: Pool, id: string): Promise<Event> {
  const { rows } = await pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', `There is no event "${id}".`);
  return toEvent(row);
}
