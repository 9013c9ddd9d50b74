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

/** A call to logic under way, and the invalidation count when it began. */
interface Flight {
  generation: number;
  snapshot: Promise<Snapshot>;
}

/**
 * Reads the catalog from logic and remembers the last good list for when logic is down.
 * A list younger than `maxAgeMs` is served as it is, and concurrent reads share one call to
 * logic (single flight). Seats left may then lag by `maxAgeMs`, which only affects what is
 * shown: every order is checked against the database.
 * `invalidate()` (an order placed through this frontend) ends that: the next read asks logic
 * again and never joins a call that began before the invalidation, so the buyer's next look
 * shows their seats gone. Logic therefore sees at most one catalog call per `maxAgeMs` plus
 * one per invalidation, not one per browser.
 * Every reader of one list gets the same object, so the caller can serialise it once.
 */
export class CatalogCache {
  #lastGood: Snapshot | undefined;
  #lastGoodGeneration = -1;
  #freshUntil = 0;
  #generation = 0;
  #inFlight: Flight | undefined;
  readonly #client: LogicClient;
  readonly #maxAgeMs: number;
  readonly #onStale: () => void;

  /** `onStale` is told of each read answered with the last good list (a metric counts them). */
  constructor(client: LogicClient, maxAgeMs: number, onStale: () => void = () => undefined) {
    this.#client = client;
    this.#maxAgeMs = maxAgeMs;
    this.#onStale = onStale;
  }

  /** The next read asks logic again (the stale fallback is kept). */
  invalidate(): void {
    this.#generation++;
    this.#freshUntil = 0;
  }

  /** Throws when logic is unavailable and there is nothing to fall back to. */
  async read(log: Logger, headers: Record<string, string>): Promise<Readonly<Catalog>> {
    if (this.#lastGood && Date.now() < this.#freshUntil) return this.#lastGood.fresh;
    try {
      return (await this.#currentFlight(log, headers).snapshot).fresh;
    } catch (error) {
      if (!this.#lastGood) throw error;
      log.warn(
        { err: error, fetchedAt: this.#lastGood.fresh.fetchedAt },
        'logic unavailable, serving stale catalog',
      );
      this.#onStale();
      return this.#lastGood.stale;
    }
  }

  /** The call to join: the one under way if it began after the last invalidation, or a new one. */
  #currentFlight(log: Logger, headers: Record<string, string>): Flight {
    if (this.#inFlight?.generation === this.#generation) return this.#inFlight;
    const generation = this.#generation;
    const flight: Flight = {
      generation,
      snapshot: this.#fetch(generation, log, headers).finally(() => {
        if (this.#inFlight === flight) this.#inFlight = undefined;
      }),
    };
    this.#inFlight = flight;
    return flight;
  }

  async #fetch(generation: number, log: Logger, headers: Record<string, string>) {
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
    const snapshot: Snapshot = {
      fresh: Object.freeze({ ...list, stale: false }),
      stale: Object.freeze({ ...list, stale: true }),
    };
    // A call that began before an invalidation must not replace a newer list, nor make its
    // own old list fresh again.
    if (generation >= this.#lastGoodGeneration) {
      this.#lastGood = snapshot;
      this.#lastGoodGeneration = generation;
    }
    if (generation === this.#generation) this.#freshUntil = Date.now() + this.#maxAgeMs;
    return snapshot;
  }
}
