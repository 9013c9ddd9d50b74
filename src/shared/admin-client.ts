import {
  ADMIN_ROUTES,
  type Audit,
  type CrashAnswer,
  type FaultsAnswer,
  type FaultUpdate,
  type NewEvent,
} from './admin-api.ts';

/** An admin call that got an answer other than 2xx: `status` tells 401 from 503. */
export class AdminApiError extends Error {
  readonly status: number;
  /** The error message of the answer's body ({error: {message}}), when it had one. */
  readonly serverMessage: string | undefined;
  constructor(message: string, status: number, serverMessage?: string) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

function errorMessageOf(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The admin API from the caller's side, on fetch alone so it runs in Node (chaos runner,
 * benchmarks) and in the browser (the console, through the frontend's /api relay). `baseUrl`
 * is logic's URL, or the frontend's `/api` for the relay.
 */
export class AdminClient {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, token: string, options: { timeoutMs?: number } = {}) {
    this.#baseUrl = baseUrl.replace(/\/$/, '');
    this.#token = token;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  getFaults(): Promise<FaultsAnswer> {
    return this.#call('GET', ADMIN_ROUTES.faults) as Promise<FaultsAnswer>;
  }

  /** Every replica, or the one named in `update.replica`. */
  putFaults(update: FaultUpdate): Promise<FaultsAnswer> {
    return this.#call('PUT', ADMIN_ROUTES.faults, update) as Promise<FaultsAnswer>;
  }

  /** The raw ledger and orders, of the given events or of all. */
  async getAudit(eventIds?: readonly string[]): Promise<Audit> {
    const query = eventIds ? `?events=${eventIds.map(encodeURIComponent).join(',')}` : '';
    const body = (await this.#call('GET', `${ADMIN_ROUTES.audit}${query}`)) as Audit;
    if (!Array.isArray(body.events) || !Array.isArray(body.orders)) {
      throw new AdminApiError(`GET ${ADMIN_ROUTES.audit} did not return {events, orders}`, 200);
    }
    return body;
  }

  async createEvents(events: readonly NewEvent[]): Promise<void> {
    await this.#call('POST', ADMIN_ROUTES.events, { events });
  }

  async archiveEvents(ids: readonly string[]): Promise<void> {
    await this.#call('POST', ADMIN_ROUTES.archive, { ids });
  }

  /** The replica that answers dies right after its 202. */
  crash(): Promise<CrashAnswer> {
    return this.#call('POST', ADMIN_ROUTES.crash) as Promise<CrashAnswer>;
  }

  async #call(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.#baseUrl}${path}`;
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new AdminApiError(
        `${method} ${url} answered ${response.status}: ${text.slice(0, 200)}`,
        response.status,
        errorMessageOf(text),
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
