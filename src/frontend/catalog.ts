import type { Logger } from '../shared/logger.ts';
import { type LogicClient, LogicUnavailableError } from './logic-client.ts';

export interface Catalog {
  events: unknown[];
  /** True when logic was unreachable and the last good list was served. */
  stale: boolean;
  servedBy: string | undefined;
  /** When the list was fetched from logic (ISO time). */
  fetchedAt: string;
}

/** One list from logic, as served fresh and as served stale; both are shared, never changed. */
interface Snapshot {
  fresh: Readonly<Catalog>;
  stale: Readonly<Catalog>;
}

/**
 * Reads the catalog from logic and remembers the last good list for when logic is down.
 * A list younger than `maxAgeMs` is served as it is, and concurrent reads share one call to
 * logic (single flight): under load the catalog costs logic a read every `maxAgeMs` at most,
 * not one per browser. Seats left may then lag by `maxAgeMs`, which only affects what is
 * shown: every order is checked against the database. An order placed through this frontend
 * drops the list, so the buyer's next look shows their seats gone.
 * Every reader of one list gets the same object, so the caller can serialise it once.
 */
export class CatalogCache {
  #lastGood: Snapshot | undefined;
  #freshUntil = 0;
  #inFlight: Promise<Snapshot> | undefined;
  readonly #client: LogicClient;
  readonly #maxAgeMs: number;

  constructor(client: LogicClient, maxAgeMs: number) {
    this.#client = client;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The next read asks logic again (the stale fallback is kept). */
  invalidate(): void {
    this.#freshUntil = 0;
  }

  /** Throws when logic is unavailable and there is nothing to fall back to. */
  async read(log: Logger, headers: Record<string, string>): Promise<Readonly<Catalog>> {
    if (this.#lastGood && Date.now() < this.#freshUntil) return this.#lastGood.fresh;
    try {
      this.#inFlight ??= this.#fetch(log, headers).finally(() => {
        this.#inFlight = undefined;
      });
      return (await this.#inFlight).fresh;
    } catch (error) {
      if (!this.#lastGood) throw error;
      log.warn(
        { err: error, fetchedAt: this.#lastGood.fresh.fetchedAt },
        'logic unavailable, serving stale catalog',
      );
      return this.#lastGood.stale;
    }
  }

  async #fetch(log: Logger, headers: Record<string, string>): Promise<Snapshot> {
    const response = await this.#client.call({
      method: 'GET',
      path: '/events',
      idempotent: true,
      log,
      headers,
    });
    const events = (response.body as { events?: unknown } | undefined)?.events;
    if (response.status !== 200 || !Array.isArray(events)) {
      throw new LogicUnavailableError(`unexpected catalog response: status ${response.status}`);
    }
    const list = { events, servedBy: response.servedBy, fetchedAt: new Date().toISOString() };
    this.#lastGood = {
      fresh: Object.freeze({ ...list, stale: false }),
      stale: Object.freeze({ ...list, stale: true }),
    };
    this.#freshUntil = Date.now() + this.#maxAgeMs;
    return this.#lastGood;
  }
}
