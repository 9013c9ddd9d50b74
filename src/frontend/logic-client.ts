import http from 'node:http';
import https from 'node:https';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleType,
} from 'cockatiel';
import fetchBuilder from 'fetch-retry';
import type { Logger } from '../shared/logger.ts';
import type { FrontendConfig } from './config.ts';
import { FrontendMetrics } from './metrics.ts';
import { ReplicaRing } from './replica-ring.ts';
import { backoffDelay, isRetryable, RETRYABLE_STATUSES } from './retry-policy.ts';
import { timeoutSignal } from './timeout-signal.ts';

export interface LogicResponse {
  status: number;
  /** Parsed JSON body, or undefined when logic sent none. */
  body: unknown;
  servedBy: string | undefined;
  /** The answering logic process's boot id (x-boot-id), relayed so clients see who answered. */
  bootId: string | undefined;
  replayed: boolean;
  retryAfter: string | null;
}

export interface LogicCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Only idempotent calls (GET, POST with Idempotency-Key) are retried. */
  idempotent: boolean;
  log: Logger;
}

/** How long one call may take: each attempt, and all of them with their backoff. */
export interface CallLimits {
  attemptTimeoutMs: number;
  deadlineMs: number;
}

/** Logic could not give an answer: every attempt failed, or the deadline passed. */
export class LogicUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogicUnavailableError';
  }
}

type AttemptInit = {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
};
type AttemptFetch = (path: string, init: AttemptInit) => Promise<LogicResponse>;

function toLogicResponse(
  status: number,
  text: string,
  header: (name: string) => string | null,
): LogicResponse {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return {
    status,
    body,
    servedBy: header('x-served-by') ?? undefined,
    bootId: header('x-boot-id') ?? undefined,
    replayed: header('idempotent-replayed') === 'true',
    retryAfter: header('retry-after'),
  };
}

/** An injected fetch (tests): the WHATWG way. */
async function fetchAttempt(fetchImpl: typeof fetch, url: URL, init: AttemptInit) {
  const response = await fetchImpl(url, init);
  return toLogicResponse(response.status, await response.text(), (name) =>
    response.headers.get(name),
  );
}

// Keep-alive sockets to logic, unbounded like fetch's pool; idle ones close before logic's
// server-side keep-alive timeout would.
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 30_000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 30_000 }),
};

/**
 * The default transport: node:http on keep-alive sockets. Profiling the purchase path showed
 * global fetch (undici behind WHATWG streams, Headers and AbortSignal plumbing) as the largest
 * share of the frontend's CPU; a plain request with the body read as one string costs a
 * fraction of that. Aborts (per-attempt timeout or the deadline) reject like fetch does.
 */
function httpAttempt(url: URL, init: AttemptInit): Promise<LogicResponse> {
  const client = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: init.method, headers: init.headers, agent, signal: init.signal },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          resolve(
            toLogicResponse(res.statusCode ?? 502, text, (name) => {
              const value = res.headers[name];
              return value === undefined ? null : String(value);
            }),
          );
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('logic closed the connection mid-response'));
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** An answer logic meant (2xx, 4xx); a retryable status after the last retry is none. */
function meant(response: LogicResponse): LogicResponse {
  if (RETRYABLE_STATUSES.has(response.status)) {
    throw new LogicUnavailableError(`logic answered ${response.status} on every attempt`);
  }
  return response;
}

function describe(error: Error | null, response: LogicResponse | null): string {
  if (response) return `status ${response.status}`;
  const cause = error?.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error?.name ?? 'Error'}: ${error?.message ?? 'unknown'}${cause}`;
}

/**
 * The frontend's only way to reach logic: a per-attempt timeout inside an overall deadline,
 * retries with capped, jittered backoff (fetch-retry) that move to another replica, and a
 * circuit breaker (cockatiel) that fails fast while logic is down.
 */
export class LogicClient {
  readonly #config: FrontendConfig;
  readonly #logger: Logger;
  readonly #ring: ReplicaRing;
  readonly #fetch: typeof fetch | undefined;
  readonly #limits: CallLimits;
  readonly breaker;
  /** The frontend's metrics: this client counts calls and retries and reports its breaker. */
  readonly metrics: FrontendMetrics;

  /** `fetchImpl` replaces the node:http transport (tests inject a fake one). */
  constructor(
    config: FrontendConfig,
    logger: Logger,
    fetchImpl?: typeof fetch,
    metrics: FrontendMetrics = new FrontendMetrics(),
  ) {
    this.#config = config;
    this.metrics = metrics;
    this.#logger = logger;
    this.#fetch = fetchImpl;
    this.#ring = new ReplicaRing(config.LOGIC_URL);
    this.#limits = {
      attemptTimeoutMs: config.LOGIC_ATTEMPT_TIMEOUT_MS,
      deadlineMs: config.LOGIC_DEADLINE_MS,
    };
    this.breaker = circuitBreaker(handleType(LogicUnavailableError), {
      halfOpenAfter: config.BREAKER_HALF_OPEN_MS,
      breaker: new ConsecutiveBreaker(config.BREAKER_THRESHOLD),
    });
    this.breaker.onStateChange((state) =>
      this.#logger.warn({ breaker: CircuitState[state] }, 'logic circuit breaker changed state'),
    );
    metrics.watchBreaker(() => this.breaker.state);
  }

  get breakerState(): string {
    return CircuitState[this.breaker.state];
  }

  /** One call; rejects with LogicUnavailableError or cockatiel's BrokenCircuitError. */
  async call(call: LogicCall): Promise<LogicResponse> {
    const calls = this.metrics.logicCalls;
    try {
      const answer = await this.breaker.execute(async () =>
        meant(await this.#withRetries(call, this.#limits)),
      );
      calls.answered.inc();
      return answer;
    } catch (error) {
      (error instanceof BrokenCircuitError ? calls.circuit_open : calls.unavailable).inc();
      throw error;
    }
  }

  /**
   * One call past the breaker, with limits of its own: for the console's admin actions, which
   * must get through exactly when purchases are failing (clearing faults is the way out of an
   * open breaker). Its failures do not count toward opening the breaker either.
   */
  async callPastBreaker(call: LogicCall, limits: CallLimits): Promise<LogicResponse> {
    const calls = this.metrics.logicCalls;
    try {
      const answer = meant(await this.#withRetries(call, limits));
      calls.answered.inc();
      return answer;
    } catch (error) {
      calls.unavailable.inc();
      throw error;
    }
  }

  /** A fresh attempt function per call, so each retry goes to another replica. */
  #attemptFetch(attemptTimeoutMs: number): AttemptFetch {
    let last: string | undefined;
    return async (path, init) => {
      const base = this.#ring.pick(last);
      last = base;
      const limit = timeoutSignal(attemptTimeoutMs, init.signal);
      const url = new URL(path, base);
      // Counted here, where each attempt ends, so the chaos runner can match what the frontend
      // saw against the faults logic says it injected.
      const failed =
        this.metrics.failedAttempts[
          init.method === 'POST' && path === '/orders' ? 'orders' : 'other'
        ];
      try {
        const response = await (this.#fetch
          ? fetchAttempt(this.#fetch, url, { ...init, signal: limit.signal })
          : httpAttempt(url, { ...init, signal: limit.signal }));
        if (response.status >= 500) failed.status_5xx.inc();
        return response;
      } catch (error) {
        (limit.signal.aborted ? failed.timeout : failed.network).inc();
        throw error;
      } finally {
        limit.release();
      }
    };
  }

  async #withRetries(call: LogicCall, limits: CallLimits): Promise<LogicResponse> {
    const config = this.#config;
    // fetch-retry passes the same init to every attempt, so this signal is the overall deadline.
    const limit = timeoutSignal(limits.deadlineMs);
    const deadline = limit.signal;
    const startedAt = Date.now();
    const retries = call.idempotent ? config.LOGIC_RETRIES : 0;
    const fetchWithRetry = fetchBuilder(this.#attemptFetch(limits.attemptTimeoutMs), {
      retries,
      retryOn: (attempt, _error, response) =>
        isRetryable({ attempt, retries, status: response?.status, deadline }),
      retryDelay: (attempt, error, response) => {
        const remaining = limits.deadlineMs - (Date.now() - startedAt);
        // One failure is most often that request's bad luck: the first retry goes at once, to
        // another replica when there is one. A second failure in a row looks like trouble, so
        // from then on the backoff, starting at RETRY_BASE_MS. A Retry-After from logic wins.
        const backoff =
          attempt === 0 && !response?.retryAfter
            ? 0
            : backoffDelay(Math.max(0, attempt - 1), response?.retryAfter, {
                baseMs: config.RETRY_BASE_MS,
                maxMs: config.RETRY_MAX_MS,
                retryAfterMaxMs: config.RETRY_AFTER_MAX_MS,
              });
        const delayMs = Math.max(0, Math.min(remaining, backoff));
        this.metrics.logicRetries.inc();
        call.log.warn(
          {
            attempt: attempt + 1,
            of: retries,
            delayMs,
            cause: describe(error, response),
            path: call.path,
          },
          'retrying call to logic',
        );
        return delayMs;
      },
    });
    try {
      return await fetchWithRetry(call.path, {
        method: call.method,
        headers: {
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: deadline,
      });
    } catch (error) {
      throw new LogicUnavailableError(
        deadline.aborted
          ? 'logic did not answer before the deadline'
          : 'logic could not be reached',
        { cause: error },
      );
    } finally {
      limit.release();
    }
  }
}
