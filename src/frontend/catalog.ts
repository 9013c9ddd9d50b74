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

type Fresh = Omit<Catalog, 'stale'>;

/**
 * Reads the catalog from logic and remembers the last good list for when logic is down.
 * Concurrent reads share one call to logic (single flight): under load the catalog costs one
 * logic round trip at a time instead of one per browser, and every answer is still no older
 * than the request that received it.
 */
export class CatalogCache {
  #lastGood: Fresh | undefined;
  #inFlight: Promise<Fresh> | undefined;
  readonly #client: LogicClient;

  constructor(client: LogicClient) {
    this.#client = client;
  }

  /** Throws when logic is unavailable and there is nothing to fall back to. */
  async read(log: Logger, headers: Record<string, string>): Promise<Catalog> {
    try {
      this.#inFlight ??= this.#fetch(log, headers).finally(() => {
        this.#inFlight = undefined;
      });
      return { ...(await this.#inFlight), stale: false };
    } catch (error) {
      if (!this.#lastGood) throw error;
      log.warn(
        { err: error, fetchedAt: this.#lastGood.fetchedAt },
        'logic unavailable, serving stale catalog',
      );
      return { ...this.#lastGood, stale: true };
    }
  }

  async #fetch(log: Logger, headers: Record<string, string>): Promise<Fresh> {
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
    this.#lastGood = { events, servedBy: response.servedBy, fetchedAt: new Date().toISOString() };
    return this.#lastGood;
  }
}
