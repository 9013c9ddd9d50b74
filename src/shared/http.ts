import { performance } from 'node:perf_hooks';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { HttpMetrics } from './metrics.ts';
import { requestIdFor } from './request-id.ts';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: the caller's x-request-id when sane, otherwise a new UUID. */
    id: string;
    /** A logger whose every line carries this request's reqId. */
    log: Logger;
  }
}

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

type Level = 'debug' | 'info' | 'error';

/**
 * Failures at error, writes and refusals at info; successful reads only at debug: the catalog
 * is read thousands of times a second under load. A request the client gave up on is judged
 * the same way (a browser leaving a page is not news; a purchase cut short is).
 */
export function completionLevel(method: string, status: number): Level {
  if (status >= 500) return 'error';
  if (status < 400 && (method === 'GET' || method === 'HEAD')) return 'debug';
  return 'info';
}

/**
 * Gives each request an id (echoed as x-request-id) and a child logger, and logs one line when
 * it ends. Probes are not logged: the kubelet calls them every few seconds and they would
 * drown the useful lines. pino-http did this before; profiling showed its two child loggers
 * and serialisers per request as a visible share of the catalog path, and this does only the
 * work a line needs, only when the line's level is enabled. The same 'close' listener times the
 * request for `metrics`, so metrics add no listener of their own.
 */
export function requestLogging(logger: Logger, metrics?: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const reqId = requestIdFor(req);
    req.id = reqId;
    req.log = logger.child({ reqId });
    res.setHeader('x-request-id', reqId);
    const url = req.url;
    if (PROBE_PATHS.has(url.split('?', 1)[0] ?? '')) return next();
    const startedAt = performance.now();
    res.once('close', () => {
      // Ended by the app counts as completed, even if the client left before the last byte.
      const aborted = !res.writableEnded;
      const elapsedMs = performance.now() - startedAt;
      metrics?.observe(req, res, elapsedMs / 1000);
      const level = completionLevel(req.method, res.statusCode);
      if (!req.log.isLevelEnabled(level)) return;
      req.log[level](
        {
          req: { method: req.method, url },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(elapsedMs),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    next();
  };
}

/** JSON bodies only, with a size limit; anything the parser rejects becomes a 4xx below. */
export function jsonBody(limit: string): RequestHandler {
  return express.json({ limit, strict: true });
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};

/**
 * Errors raised by Express or body-parser for bad requests: body-parser's carry a `type`, and
 * Express 5 gives a path it cannot decode (`/orders/%E0%A4%A`) status 400. Each becomes a
 * stable code, never a 5xx.
 */
function fromFramework(err: { type?: unknown; status?: unknown }): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'entity.parse.failed':
      return new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.size.invalid':
    case 'request.aborted':
      return new AppError('INVALID_REQUEST', 'The body could not be read.');
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new AppError('INVALID_REQUEST', 'The request could not be understood.');
  }
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known =
      err instanceof AppError
        ? err
        : typeof err === 'object' && err !== null
          ? fromFramework(err)
          : undefined;
    const appError = known ?? new AppError('INTERNAL');
    if (!known) (req.log ?? logger).error({ err }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.retryAfter !== undefined)
      res.setHeader('Retry-After', String(appError.retryAfter));
    res.status(appError.status).json(appError.toBody());
  };
}
