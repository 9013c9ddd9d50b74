import type { Random } from '../random.ts';
import type { ShopEvent } from './shop-client.ts';

/**
 * What buyers believe about seats left, from their last catalog reads and sold-out answers.
 * Buyers go for events with seats left, as people do, so small events sell out under load and
 * the last seats are fought over (the oversell invariant's best test).
 */
export class KnownEvents {
  readonly #events = new Map<string, ShopEvent>();
  readonly #prefix: string;

  /** Only events whose id starts with `prefix` are bought (a scenario's own stock). */
  constructor(prefix = '') {
    this.#prefix = prefix;
  }

  get size(): number {
    return this.#events.size;
  }

  update(events: readonly ShopEvent[]): void {
    for (const event of events) {
      if (event.id.startsWith(this.#prefix)) this.#events.set(event.id, { ...event });
    }
  }

  /** A SOLD_OUT answer tells how many seats are left (details.available). */
  seatsLeft(eventId: string, available: number): void {
    const event = this.#events.get(eventId);
    if (event) event.available = available;
  }

  /**
   * Event and quantity for the next purchase: mostly 1 seat, sometimes 2-4. People rush for
   * the last seats, so half the purchases go to the open event with the fewest seats left:
   * a small event's last seats are fought over by several buyers at once.
   */
  choose(random: Random): { eventId: string; quantity: number } | undefined {
    const all = [...this.#events.values()];
    if (all.length === 0) return undefined;
    const open = all.filter((e) => e.available > 0);
    const pool = open.length > 0 ? open : all;
    const scarcest = pool.reduce((a, b) => (b.available < a.available ? b : a));
    const event = random.next() < 0.5 ? scarcest : random.pick(pool);
    const roll = random.next();
    const wanted = roll < 0.7 ? 1 : roll < 0.9 ? 2 : random.int(3, 4);
    return { eventId: event.id, quantity: Math.max(1, Math.min(wanted, event.available)) };
  }
}
