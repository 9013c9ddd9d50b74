import { Counter, Gauge, type Registry } from 'prom-client';
import { FAULT_MODES, type FaultMode } from '../shared/admin-api.ts';
import { HttpMetrics } from '../shared/metrics.ts';
import type { Pool } from './database.ts';
import type { OrderOutcome } from './orders.ts';

/** What the logic service counts; docs/METRICS.md says what each one means. */
export class LogicMetrics {
  readonly registry: Registry;
  readonly http: HttpMetrics;
  readonly #ordersPlaced: Counter;
  readonly #seatsSold: Counter;
  readonly #replays: Record<OrderOutcome['status'], Counter.Internal>;
  readonly #faults: Record<FaultMode, Counter.Internal>;

  constructor(registry: Registry, pool: Pool) {
    this.registry = registry;
    this.http = new HttpMetrics(registry);
    const registers = [registry];
    this.#ordersPlaced = new Counter({
      name: 'flame_orders_placed_total',
      help: 'Orders placed (committed), replays of a recorded order not counted.',
      registers,
    });
    this.#seatsSold = new Counter({
      name: 'flame_seats_sold_total',
      help: 'Seats sold by the orders placed.',
      registers,
    });
    const replays = new Counter({
      name: 'flame_idempotent_replays_total',
      help: "Order requests answered with their Idempotency-Key's recorded outcome, by its status code.",
      labelNames: ['status_code'] as const,
      registers,
    });
    // Every series exists from the start (at 0), so a rate() sees the first event.
    this.#replays = {
      201: replays.labels('201'),
      404: replays.labels('404'),
      409: replays.labels('409'),
    };
    const faults = new Counter({
      name: 'flame_faults_injected_total',
      help: 'Requests hit by an injected fault, by fault mode.',
      labelNames: ['mode'] as const,
      registers,
    });
    this.#faults = Object.fromEntries(
      FAULT_MODES.map((mode) => [mode, faults.labels(mode)]),
    ) as Record<FaultMode, Counter.Internal>;
    poolGauges(registry, pool);
  }

  /** Counts an answer to POST /orders: a replay, or a new order with its seats. */
  orderAnswered(outcome: OrderOutcome, quantity: number): void {
    if (outcome.replayed) this.#replays[outcome.status].inc();
    else if (outcome.status === 201) {
      this.#ordersPlaced.inc();
      this.#seatsSold.inc(quantity);
    }
  }

  faultInjected(mode: FaultMode): void {
    this.#faults[mode].inc();
  }
}

/** The pool's counts, read when scraped: no work per query. */
function poolGauges(registry: Registry, pool: Pool): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('flame_db_pool_clients', 'Open connections in the database pool.', () => pool.totalCount);
  gauge(
    'flame_db_pool_idle_clients',
    'Open connections in the database pool not in use.',
    () => pool.idleCount,
  );
  gauge(
    'flame_db_pool_waiting_requests',
    'Queries waiting for a free connection of the database pool.',
    () => pool.waitingCount,
  );
}
