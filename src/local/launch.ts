import { PORT_IN_USE } from '../shared/listen.ts';
import { checkReady, TimedOut, waitFor } from '../shared/wait.ts';
import type { LineSink, ManagedChild } from './child-process.ts';

// How `npm start`'s runner starts a child and knows it is up: its "listening" log line, then
// GET /readyz; and how a failed start is told (a taken port names the variable to change).

const isListening = (record: Record<string, unknown>) =>
  typeof record.port === 'number' &&
  record.code !== PORT_IN_USE &&
  /\b(listening|ready)\b/.test(String(record.msg));

/** Polls GET url until it answers 200, or fails naming what it waited for. */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  let last = 'no answer';
  const answers = async () => {
    await checkReady(url);
    return true;
  };
  await waitFor(`${what} at ${url}`, answers, {
    timeoutMs,
    delayMs: 100,
    onRetry: ({ reason }) => {
      last = reason;
    },
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    if (!(error instanceof TimedOut)) throw error;
    throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms (last: ${last})`);
  });
}

/** The variable of `npm start` that sets each child's port (logic replicas count up from it). */
function portVariable(label: string): string {
  if (label === 'db') return 'EMBEDDED_DB_PORT';
  return label === 'frontend' ? 'PORT' : 'LOGIC_BASE_PORT';
}

/** The line a service logs once GET /metrics listens (`serveMetricsIfAsked`). */
const isServingMetrics = (record: Record<string, unknown>) =>
  typeof record.metricsPort === 'number';

/**
 * A child that exited because its port is taken says so in one fatal line naming its own
 * variable; the runner says it once, naming the variable of `npm start`, and hides the
 * child's line.
 */
function explainStartFailure(child: ManagedChild, error: unknown): unknown {
  const fatal = child.lastFatal;
  if (fatal?.code !== PORT_IN_USE) return error;
  const variable =
    fatal.variable === 'METRICS_PORT' ? 'METRICS_BASE_PORT' : portVariable(child.spec.label);
  return new Error(
    `${child.spec.label} cannot listen: port ${fatal.port} is already in use; stop what runs there, or set ${variable} to another port`,
  );
}
export const withoutPortInUseLines =
  (sink: LineSink): LineSink =>
  (label, line) => {
    if (!line.includes(`"code":"${PORT_IN_USE}"`)) sink(label, line);
  };

/** Resolves like `work`, or rejects as soon as `signal` aborts. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Stops children newest first (the frontend before logic before the database). */
export async function stopNewestFirst(children: ManagedChild[]): Promise<void> {
  for (const child of [...children].reverse()) await child.stop();
}

/** What a launch needs of the system's options. */
export interface LaunchOptions {
  /** How long a child may take to answer ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Aborts a start in progress (npm start's Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Starts children on their ports and remembers what it started, so a failed or aborted start
 * can stop exactly that, newest first, and a restart can reuse each child's ports.
 */
export class Launcher {
  readonly started: ManagedChild[] = [];
  readonly ports = new Map<ManagedChild, number>();
  readonly metricsPorts = new Map<ManagedChild, number>();
  readonly #options: LaunchOptions;
  readonly readyTimeoutMs: number;

  constructor(options: LaunchOptions) {
    this.#options = options;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  }

  /** Starts a child on `port`; with `metricsPort`, also waits for its metrics listener. */
  async launch(
    child: ManagedChild,
    portEnv: string,
    port: number,
    metricsPort?: number,
  ): Promise<number> {
    const { signal } = this.#options;
    signal?.throwIfAborted();
    const metricsEnv: Record<string, string> =
      metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) };
    child.start({ [portEnv]: String(port), ...metricsEnv });
    const listening = child.waitForLog(isListening, this.readyTimeoutMs);
    const metrics =
      metricsPort === undefined
        ? undefined
        : child.waitForLog(isServingMetrics, this.readyTimeoutMs);
    metrics?.catch(() => undefined); // awaited below, after the API's line
    this.started.push(child);
    try {
      const record = await unlessAborted(listening, signal);
      this.ports.set(child, record.port as number);
      if (metrics) {
        const serving = await unlessAborted(metrics, signal);
        this.metricsPorts.set(child, serving.metricsPort as number);
      }
      return record.port as number;
    } catch (error) {
      throw explainStartFailure(child, error);
    }
  }

  /**
   * Waits until `url` answers 200. With `child`, gives up as soon as that process exits: a
   * replica that dies while starting is not waited on for the whole readiness timeout.
   */
  ready(url: string, what: string, child?: ManagedChild): Promise<void> {
    const signals = [this.#options.signal, child && diedSignal(child)].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    return waitUntilReady(url, this.readyTimeoutMs, what, signal);
  }
}

/** Aborts when the child's current run ends, with the reason it ended. */
function diedSignal(child: ManagedChild): AbortSignal {
  const controller = new AbortController();
  void child.ended.then((exit) => {
    const ended = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    controller.abort(new Error(`${child.spec.label} exited (${ended}) before it was ready`));
  });
  return controller.signal;
}
