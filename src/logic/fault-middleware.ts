import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler, Response } from 'express';
import { AppError } from '../shared/errors.ts';
import type { FaultInjector } from './faults.ts';

/**
 * Draws the fate of each API request. `before` fails it here, before any work; `after-commit`
 * lets the handler do its work and fails the response in `sendResult`.
 */
export function injectFaults(faults: FaultInjector): RequestHandler {
  return async (req, res, next) => {
    const decision = faults.decide();
    if (!decision.hit) return next();
    req.log.warn({ fault: decision }, 'injecting fault');
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.mode === 'before') return next(new AppError('INJECTED_FAULT'));
    if (decision.mode === 'after-commit') res.locals.failAfterWork = true;
    next();
  };
}

/** Sends a handler's result, unless an after-commit fault says the response must be lost. */
export function sendResult(
  res: Response,
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): void {
  if (res.locals.failAfterWork === true) {
    throw new AppError(
      'INJECTED_FAULT',
      'The work was done, then the response was failed on purpose.',
    );
  }
  if (headers) res.set(headers);
  res.status(status).json(body);
}
