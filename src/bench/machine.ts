import os from 'node:os';
import pg from 'pg';

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  database: string;
  loadAverageAtStart: number[];
}

/** What the figures were measured on; they mean little without it. */
export async function describeMachine(
  databaseUrl: string,
  engine: 'postgres' | 'embedded',
): Promise<MachineDescription> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let version: string;
  try {
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    version = rows[0]?.version ?? 'unknown';
  } finally {
    await client.end();
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    database: `${engine === 'postgres' ? 'real PostgreSQL' : 'embedded PGlite'}: ${version.split(',')[0]}`,
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
