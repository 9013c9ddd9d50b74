import type { TestContext } from 'node:test';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/local/embedded-db.ts';
import { createScratchDatabase } from '../../src/local/scratch-database.ts';

export interface TestDatabase {
  url: string;
  /** Which engine the suite runs on, for test names and skip messages. */
  engine: 'embedded' | 'postgres';
}

/** Same rule as the browser test: a missing dependency skips loudly here, and fails under CI. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure, not a skip)`);
  process.stderr.write(`\n*** SKIPPED: ${reason} ***\n\n`);
  t.skip(reason);
}

/**
 * The skip reason of a test whose point is concurrent transactions (a race for the last seats,
 * two requests under one key), on an engine where they cannot happen: the embedded engine's
 * wire server runs one request at a time, so such a test would pass there without racing
 * anything. Printed once per suite, loudly; `.ci/run` runs these suites on PostgreSQL.
 * False on PostgreSQL: the test runs.
 */
export function raceSkip(db: TestDatabase): string | false {
  if (db.engine !== 'embedded') return false;
  const reason =
    'needs concurrent transactions, and the embedded engine serialises every request, so the race cannot happen here; set DATABASE_URL to run it on PostgreSQL';
  process.stderr.write(`\n*** SKIPPED race tests: ${reason} ***\n\n`);
  return reason;
}

/**
 * A fresh, empty database for one suite: an in-memory embedded engine by default, or a new
 * database on the real PostgreSQL named by DATABASE_URL. Dropped when the suite ends. The
 * embedded one loads the cached pre-initialised cluster (src/local/pglite-template.ts), so it
 * is ready in well under a second instead of running initdb for each suite.
 */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const db = await startEmbeddedDatabase();
    return { url: db.url, engine: 'embedded', drop: () => db.stop() };
  }
  const probe = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (error) {
    const reason = `DATABASE_URL is set but PostgreSQL cannot be reached (${(error as Error).message})`;
    if (process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure)`);
    process.stderr.write(`\n*** ${reason}: this suite runs on the embedded engine instead ***\n\n`);
    const db = await startEmbeddedDatabase();
    return { url: db.url, engine: 'embedded', drop: () => db.stop() };
  }
  return { ...(await createScratchDatabase(adminUrl, 'flame_test')), engine: 'postgres' };
}
