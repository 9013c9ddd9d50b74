import type { ErrorRequestHandler, RequestHandler } from 'express';
import express from 'express';
import { pinoHttp } from 'pino-http';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';
import { requestIdFor } from './request-id.ts';

const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * One log line per request with reqId, and x-request-id echoed back. Probes are not logged:
 * the kubelet calls them every few seconds and they would drown the useful lines.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const id = requestIdFor(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    customAttributeKeys: { reqId: 'reqId' },
    quietReqLogger: true,
    autoLogging: { ignore: (req) => PROBE_PATHS.has(req.url?.split('?')[0] ?? '') },
    // Writes, refusals and failures at info or above; successful reads only at debug: the
    // catalog is read thousands of times a second under load and those lines cost the most.
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode < 400 && (req.method === 'GET' || req.method === 'HEAD')) return 'debug';
      return 'info';
    },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
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
