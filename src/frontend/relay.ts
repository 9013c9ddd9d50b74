import type { Response } from 'express';
import { AppError } from '../shared/errors.ts';
import type { LogicResponse } from './logic-client.ts';

/** Relays logic's answer (2xx or 4xx, already in the public error format) to the browser. */
export function relay(res: Response, response: LogicResponse): void {
  if (response.servedBy) res.setHeader('x-served-by', response.servedBy);
  if (response.bootId) res.setHeader('x-boot-id', response.bootId);
  if (response.replayed) res.setHeader('Idempotent-Replayed', 'true');
  if (response.body === undefined) {
    throw new AppError('SERVICE_UNAVAILABLE', undefined, { retryAfter: 1 });
  }
  res.status(response.status).json(response.body);
}
