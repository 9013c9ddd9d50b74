import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PgliteWireServer } from './pglite-wire-server.ts';

export interface EmbeddedDatabase {
  /** postgres:// URL that pg clients connect to. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string | undefined;
  /** 0 picks a free port, so it never clashes with a real PostgreSQL on 5432. */
  port?: number;
  host?: string;
}

/**
 * PGlite (Postgres compiled to WASM) served on the Postgres wire protocol, so the logic
 * service talks to it through `pg` exactly as it would to a real server. PGlite has one
 * session; PgliteWireServer lets clients take turns safely.
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabase> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const host = options.host ?? '127.0.0.1';
  const server = new PgliteWireServer(db);
  const port = await server.listen(options.port ?? 0, host);
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    async stop() {
      await server.close();
      await db.close();
    },
  };
}
