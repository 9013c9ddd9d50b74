// What the runner reads from outside the shop's parts: each logic process's identity, the
// frontend's counts of failed attempts, and whether the database takes a connection. Whether
// a part answers ready is answersReady in src/shared/wait.ts, which the other tools use too.
import pg from 'pg';
import type { FrontendCounts, ReplicaIdentity } from '../core/model.ts';

/** GET /healthz of one logic replica: the identity it reports (see src/logic/boot.ts). */
export async function readIdentity(logicUrl: string): Promise<ReplicaIdentity> {
  const response = await fetch(`${logicUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
  const body = (await response.json()) as Partial<ReplicaIdentity>;
  const { replica, bootId, pid, startedAt } = body;
  if (
    !response.ok ||
    typeof replica !== 'string' ||
    typeof bootId !== 'string' ||
    typeof pid !== 'number' ||
    typeof startedAt !== 'string'
  ) {
    throw new Error(`${logicUrl}/healthz answered ${response.status} without an identity`);
  }
  return { replica, bootId, pid, startedAt };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of Prometheus text (our own label values never hold quotes or commas). */
function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || !match[3]) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    found.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return found;
}

const sum = (list: readonly Sample[]) => list.reduce((total, s) => total + s.value, 0);

/**
 * The frontend's counts from its /metrics text: failed attempts on POST /orders by cause
 * (flame_logic_failed_attempts_total{call="orders"}), and its retries of any call.
 */
export function parseFrontendCounts(text: string): FrontendCounts {
  const all = samples(text);
  const failed = all.filter(
    (s) => s.name === 'flame_logic_failed_attempts_total' && s.labels.call === 'orders',
  );
  if (failed.length === 0) throw new Error('no flame_logic_failed_attempts_total in the metrics');
  const byCause = (cause: string) => sum(failed.filter((s) => s.labels.cause === cause));
  return {
    failedOrderAttempts: {
      status5xx: byCause('status_5xx'),
      timeout: byCause('timeout'),
      network: byCause('network'),
    },
    retries: sum(all.filter((s) => s.name === 'flame_logic_retries_total')),
  };
}

export async function readFrontendCounts(metricsUrl: string): Promise<FrontendCounts> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  return parseFrontendCounts(await response.text());
}

/** The runner's own probe: a fresh connection that answers SELECT 1 within a second. */
export async function databaseAnswers(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 1000,
    query_timeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
