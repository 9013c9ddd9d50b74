import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import type { LogicResponse } from './logic-client.ts';

/** Order ids are UUIDs; anything else (`..`, `%2e%2e`) is answered here, never forwarded. */
const orderIdSchema = z.uuid();

/** The order id of GET /api/orders/:id, or 404 NOT_FOUND as logic would answer. */
export function publicOrderId(id: string): string {
  if (!orderIdSchema.safeParse(id).success) {
    throw new AppError('NOT_FOUND', `There is no order "${id}".`);
  }
  return id;
}

/**
 * `ada.lovelace@example.com` → `a***@example.com`: enough for the buyer to recognise their
 * address, too little for anyone holding an order id to learn it.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

interface StoredOrder {
  id: string;
  eventId: string;
  quantity: number;
  email: string | null;
  createdAt: string;
}

/**
 * What anyone holding an order id may see: the order, its email masked, and nothing else.
 * Never the idempotency key: with it and a guessed email, POST /api/orders replays the order
 * for the right guess (201 with the email in clear) and refuses the wrong ones (422), which
 * turns a masked email into a guessable one. Nor the replica that placed it (internal).
 */
export function publicOrderAnswer(response: LogicResponse): LogicResponse {
  const order = (response.body as { order?: StoredOrder } | undefined)?.order;
  if (response.status !== 200 || order === undefined) return response;
  const { id, eventId, quantity, email, createdAt } = order;
  return {
    ...response,
    body: {
      order: { id, eventId, quantity, email: email === null ? null : maskEmail(email), createdAt },
    },
  };
}
