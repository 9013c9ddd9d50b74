import { CircuitState } from 'cockatiel';
import { Counter, Gauge, Registry } from 'prom-client';
import { HttpMetrics } from '../shared/metrics.ts';

/**
 * How a call to logic ended: `answered` (a 2xx or 4xx, after retries if any), `unavailable`
 * (every attempt failed, or the deadline passed), `circuit_open` (failed fast, not sent).
 */
export type LogicCallOutcome = 'answered' | 'unavailable' | 'circuit_open';

/** Which calls to logic a failed attempt belongs to: purchases (POST /orders) or the rest. */
export type LogicCallKind = 'orders' | 'other';
/** How an attempt failed: logic answered 5xx, the attempt timed out, or the connection failed. */
export type AttemptFailure = 'status_5xx' | 'timeout' | 'network';

/** cockatiel's states as label values. */
const BREAKER_STATES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** What the frontend counts; docs/METRICS.md says what each one means. */
export class FrontendMetrics {
  readonly registry: Registry;
  readonly http: HttpMetrics;
  readonly logicCalls: Record<LogicCallOutcome, Counter.Internal>;
  readonly logicRetries: Counter;
  readonly failedAttempts: Record<LogicCallKind, Record<AttemptFailure, Counter.Internal>>;
  readonly staleCatalogReads: Counter;
  #breakerState: () => CircuitState = () => CircuitState.Closed;

  /** Without a registry, a private one without process metrics (tests that don't scrape). */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.http = new HttpMetrics(registry);
    const registers = [registry];
    const calls = new Counter({
      name: 'flame_logic_calls_total',
      help: 'Calls from the frontend to logic, by outcome (answered, unavailable, circuit_open).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.logicCalls = {
      answered: calls.labels('answered'),
      unavailable: calls.labels('unavailable'),
      circuit_open: calls.labels('circuit_open'),
    };
    this.logicRetries = new Counter({
      name: 'flame_logic_retries_total',
      help: 'Attempts to reach logic repeated after a failed attempt (network error, timeout, 5xx).',
      registers,
    });
    const failed = new Counter({
      name: 'flame_logic_failed_attempts_total',
      help: 'Attempts to reach logic that failed, by call (orders, other) and cause (status_5xx, timeout, network).',
      labelNames: ['call', 'cause'] as const,
      registers,
    });
    // Every series from the start, at 0: a reader can tell "none yet" from "not counted".
    const child = (call: LogicCallKind, cause: AttemptFailure) => {
      const series = failed.labels(call, cause);
      series.inc(0);
      return series;
    };
    const causes = (call: LogicCallKind) => ({
      status_5xx: child(call, 'status_5xx'),
      timeout: child(call, 'timeout'),
      network: child(call, 'network'),
    });
    this.failedAttempts = { orders: causes('orders'), other: causes('other') };
    this.staleCatalogReads = new Counter({
      name: 'flame_catalog_stale_reads_total',
      help: 'Catalog reads answered with the last good list because logic was unavailable.',
      registers,
    });
    const read = () => this.#breakerState();
    new Gauge({
      name: 'flame_logic_breaker_state',
      help: 'State of the circuit breaker around logic: 1 for the current state, 0 for the others.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const current = read();
        for (const [state, label] of Object.entries(BREAKER_STATES)) {
          this.labels(label).set(Number(state) === current ? 1 : 0);
        }
      },
    });
  }

  /** The breaker to report, read at each scrape (no work per call). */
  watchBreaker(state: () => CircuitState): void {
    this.#breakerState = state;
  }
}
