import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import { pino } from 'pino';
import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  logger: Logger;
  /** Time to keep serving after SIGTERM so load balancers stop sending new requests. */
  drainMs: number;
  /** Hard limit for the whole shutdown; must stay inside the pod's grace period. */
  timeoutMs: number;
  /** Releases resources (database pool, keep-alive agents) once the server has closed. */
  onClosed?: () => Promise<void>;
  exit?: (code: number) => void;
}

/**
 * SIGTERM → readiness 503 → drain with `Connection: close` → stop accepting → finish in-flight
 * → release resources → exit 0. A second signal or the hard timeout exits 1 at once.
 */
export class GracefulShutdown {
  #draining = false;
  readonly #stopping = new AbortController();
  #server: Server | undefined;
  readonly #options: ShutdownOptions;
  readonly #exit: (code: number) => void;

  constructor(options: ShutdownOptions) {
    this.#options = options;
    this.#exit = options.exit ?? ((code) => process.exit(code));
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Aborted when the shutdown begins: ends work that should not outlive it (a retry loop). */
  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /**
   * Responses sent while draining close their connection, so clients reconnect elsewhere and
   * the server can close. Decided when the headers are written, not when the request arrived:
   * a request that came in before SIGTERM and finishes during the drain must close too,
   * or its idle keep-alive socket would hold the server open until keepAliveTimeout.
   */
  readonly connectionClose: RequestHandler = (_req, res, next) => {
    const writeHead = res.writeHead;
    const isDraining = () => this.#draining;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (isDraining() && !this.headersSent) this.setHeader('Connection', 'close');
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  };

  /** The server to close; set once it listens. */
  attach(server: Server): this {
    this.#server = server;
    return this;
  }

  installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void this.shutdown(signal));
    }
  }

  async shutdown(reason: string): Promise<void> {
    const { logger, drainMs, timeoutMs, onClosed } = this.#options;
    const server = this.#server;
    if (this.#draining) {
      logger.warn({ reason }, 'second shutdown signal, exiting now');
      this.#exit(1);
      return;
    }
    this.#draining = true;
    this.#stopping.abort(new Error(`shutting down (${reason})`));
    const hardStop = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out, exiting');
      this.#exit(1);
    }, timeoutMs);
    hardStop.unref();

    logger.info({ reason, drainMs }, 'shutting down: readiness is now 503, draining');
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    logger.info('no longer accepting connections, finishing in-flight requests');
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    try {
      await onClosed?.();
    } catch (err) {
      logger.error({ err }, 'error while releasing resources');
    }
    clearTimeout(hardStop);
    logger.info('shutdown complete');
    this.#exit(0);
  }
}

/**
 * Started by a local runner (an IPC channel): stop with it, so a killed runner orphans
 * nothing. The channel may already be gone when this runs — the runner died while this
 * process was still loading — and then no 'disconnect' event will come: stop at once.
 */
export function shutDownWithRunner(
  shutdown: Pick<GracefulShutdown, 'shutdown'>,
  logger: Logger,
): void {
  if (!process.send) return;
  const runnerGone = () => {
    muteOutputToRunner(logger);
    void shutdown.shutdown('runner gone');
  };
  process.on('disconnect', runnerGone);
  if (!process.connected) runnerGone();
}

/**
 * Our stdout was a pipe to the runner; with the runner gone nobody reads it. If the pipe was
 * full, pino's flush at exit would retry the broken pipe forever (sonic-boom's flushSync
 * retries every error, not only EAGAIN) and the process would never exit. pino stops writing
 * to a destination that reports EPIPE; report it now.
 */
function muteOutputToRunner(logger: Logger): void {
  const destination = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (destination instanceof EventEmitter && destination.listenerCount('error') > 0) {
    const gone = Object.assign(new Error('the runner reading this output is gone'), {
      code: 'EPIPE',
    });
    destination.emit('error', gone);
  }
}
