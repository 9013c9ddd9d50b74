import {
  FAULT_MODES,
  type FaultMode,
  type FaultSettings,
  type FaultSource,
  type FaultUpdate,
} from '../shared/admin-api.ts';
import type { Logger } from '../shared/logger.ts';
import { inTransaction, type Pool } from './database.ts';
import type { FaultInjector } from './faults.ts';

/** How often each replica reads its settings: the console promises "within a second". */
export const FAULT_POLL_MS = 500;

interface SettingsRow {
  target: string;
  rate: number;
  latency_ms: number;
  mode: string;
  seed: string | null;
  version: string;
}

const EVERY_REPLICA = '*';

function toSettings(row: SettingsRow): FaultSettings {
  const mode = (FAULT_MODES as readonly string[]).includes(row.mode)
    ? (row.mode as FaultMode)
    : 'before';
  return {
    rate: row.rate,
    latencyMs: row.latency_ms,
    mode,
    ...(row.seed === null ? {} : { seed: Number(row.seed) }),
  };
}

/**
 * Fault settings kept in the database, so a setting made through any replica — also through
 * one Kubernetes Service — reaches every replica: one row for all replicas ('*') and one per
 * named replica, which wins over it. Each replica reads its row every FAULT_POLL_MS and applies
 * a new version to its injector; with no row at all it runs on the settings from its env.
 */
export class FaultSettingsStore {
  readonly #pool: Pool;
  readonly #replica: string;
  readonly #injector: FaultInjector;
  readonly #fromEnv: FaultSettings;
  readonly #logger: Logger;
  #applied = 'environment';
  #source: FaultSource = 'environment';

  constructor(deps: {
    pool: Pool;
    replica: string;
    injector: FaultInjector;
    fromEnv: FaultSettings;
    logger: Logger;
  }) {
    this.#pool = deps.pool;
    this.#replica = deps.replica;
    this.#injector = deps.injector;
    this.#fromEnv = deps.fromEnv;
    this.#logger = deps.logger;
  }

  get source(): FaultSource {
    return this.#source;
  }

  /** Settings for every replica (replacing any per-replica ones), or for the one named. */
  async save(update: FaultUpdate): Promise<void> {
    const { replica, ...settings } = update;
    await inTransaction(this.#pool, async (client) => {
      if (replica === undefined) {
        await client.query('DELETE FROM fault_settings WHERE target <> $1', [EVERY_REPLICA]);
      }
      await client.query(
        `INSERT INTO fault_settings (target, rate, latency_ms, mode, seed, version)
         VALUES ($1, $2, $3, $4, $5, nextval('fault_settings_version'))
         ON CONFLICT (target) DO UPDATE
            SET rate = EXCLUDED.rate, latency_ms = EXCLUDED.latency_ms, mode = EXCLUDED.mode,
                seed = EXCLUDED.seed, version = EXCLUDED.version, updated_at = now()`,
        [
          replica ?? EVERY_REPLICA,
          settings.rate,
          settings.latencyMs,
          settings.mode,
          settings.seed ?? null,
        ],
      );
    });
    await this.refresh();
  }

  /** Reads this replica's settings and applies them if they changed since the last read. */
  async refresh(): Promise<void> {
    const { rows } = await this.#pool.query<SettingsRow>(
      `SELECT target, rate, latency_ms, mode, seed, version FROM fault_settings
        WHERE target IN ($1, $2) ORDER BY target = $1 LIMIT 1`,
      [EVERY_REPLICA, this.#replica],
    );
    const row = rows[0];
    const applied = row ? `${row.target}@${row.version}` : 'environment';
    if (applied === this.#applied) return;
    this.#applied = applied;
    this.#source = !row ? 'environment' : row.target === EVERY_REPLICA ? 'all' : 'replica';
    const settings = row ? toSettings(row) : this.#fromEnv;
    this.#injector.update(settings);
    this.#logger.warn({ faults: settings, source: this.#source }, 'fault settings applied');
  }

  /** Reads every FAULT_POLL_MS until the returned function is called. */
  poll(intervalMs = FAULT_POLL_MS): () => void {
    let failing = false;
    const timer = setInterval(() => {
      this.refresh().then(
        () => {
          failing = false;
        },
        (err: unknown) => {
          // The database being away is logged once per outage; the last settings stay.
          if (!failing) this.#logger.warn({ err }, 'could not read the fault settings');
          failing = true;
        },
      );
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
