import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../shared/errors.ts';
import type { FaultInjector, FaultTarget } from './faults.ts';

const targetOf = (req: Request): FaultTarget =>
  req.method === 'POST' && req.path === '/orders' ? 'orders' : 'other';

/**
 * Draws the fate of each API request. `before` fails it here, before any work; `after-commit`
 * lets the handler do its work and fails the response in `sendResult`.
 */
export function injectFaults(faults: FaultInjector): RequestHandler {
  return async (req, res, next) => {
    const target = targetOf(req);
    const decision = faults.decide(target);
    if (!decision.hit) return next();
    req.log.warn({ fault: decision }, 'injecting fault');
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.mode === 'before') return next(new AppError('INJECTED_FAULT'));
    if (decision.mode === 'after-commit') {
      // Counted only if the handler gets as far as sending a result: then work was lost.
      res.locals.failAfterWork = () => faults.countLostResponse(target);
    }
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
  const failAfterWork: unknown = res.locals.failAfterWork;
  if (typeof failAfterWork === 'function') {
    failAfterWork();
    throw new AppError(
      'INJECTED_FAULT',
      'The work was done, then the response was failed on purpose.',
    );
  }
  if (headers) res.set(headers);
  res.status(status).json(body);
}
