import pg from 'pg';
import type { Logger } from '../shared/logger.ts';

export type Pool = pg.Pool;

export interface PoolOptions {
  connectionString: string;
  max: number;
  logger: Logger;
}

/**
 * A pg pool that survives the database going away: idle-client errors are logged, not thrown,
 * so a restart of PostgreSQL makes requests fail (and be retried) instead of crashing the process.
 */
export function createPool({ connectionString, max, logger }: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a dead database must not hold a request forever.
    query_timeout: 10_000,
    application_name: 'flame-logic',
  });
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection failed'));
  return pool;
}

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True for errors that mean "the database is not there right now" rather than a bug:
 * connection failures, SQLSTATE class 08 (connection exception), 57P0x (shutdown/starting)
 * and pg's own timeouts.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code)) {
      return true;
    }
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(
      message,
    )
  );
}
